package dev.portoser.secret;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portoser.ErrorMessages;
import dev.portoser.registry.Machine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Secrets from a JSON file on the controller, {@code {"secret/data/myapp": {"api_key": "..."}}}, for setups without
 * a Vault. The file must be readable by its owner only (mode 0600 or 0400): a file that group or others can read
 * is refused, because the secrets in it would already be exposed. Read at each lookup, so edits apply at the next
 * deploy. Thread-safe.
 */
public final class FileSecretProvider implements SecretProvider {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    /**
     * A provider over a file.
     *
     * @param file the JSON file
     */
    public FileSecretProvider(Path file) {
        this.file = Objects.requireNonNull(file, "file == null");
    }

    @Override
    public Secret read(Machine machine, String path, String key) {
        return new MapSecretProvider(load()).read(machine, path, key);
    }

    private Map<String, Map<String, String>> load() {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            for (PosixFilePermission p : permissions) {
                if (p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_")) {
                    throw new SecretException("refusing " + file + ": it is readable or writable by others than its "
                            + "owner (chmod 600 it)", null);
                }
            }
            return JSON.readValue(file.toFile(), new TypeReference<Map<String, Map<String, String>>>() { });
        } catch (IOException e) {
            // The message names the file and what is wrong with it, never its content.
            throw new SecretException("cannot read the secrets file " + file + ": " + ErrorMessages.describe(e), null);
        }
    }

    @Override
    public String toString() {
        return "FileSecretProvider[" + file + "]";
    }
}

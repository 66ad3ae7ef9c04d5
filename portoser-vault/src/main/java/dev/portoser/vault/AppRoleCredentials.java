package dev.portoser.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portoser.ErrorMessages;
import dev.portoser.registry.Machine;
import dev.portoser.secret.SecretException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a machine's AppRole role id and secret id come from. Implementations are thread-safe.
 */
@FunctionalInterface
public interface AppRoleCredentials {

    /**
     * A role id and secret id. {@link #toString()} never shows the secret id.
     *
     * @param roleId the AppRole role id
     * @param secretId the AppRole secret id
     */
    record Credentials(String roleId, String secretId) {
        /**
         * Checks the components.
         *
         * @param roleId the role id
         * @param secretId the secret id
         */
        public Credentials {
            Objects.requireNonNull(roleId, "roleId == null");
            Objects.requireNonNull(secretId, "secretId == null");
        }

        @Override
        public String toString() {
            return "Credentials[roleId=" + roleId + ", secretId=***]";
        }
    }

    /**
     * The credentials of a machine.
     *
     * @param machine the machine
     * @return its credentials, or empty when it has none here
     */
    Optional<Credentials> forMachine(Machine machine);

    /**
     * Credentials from environment variables {@code PORTOSER_APPROLE_<MACHINE>_ROLE_ID} and
     * {@code ..._SECRET_ID} (the machine's name in upper case, other characters than letters and digits as
     * {@code _}), for CI systems that inject them.
     *
     * @return the source
     */
    static AppRoleCredentials environment() {
        return machine -> {
            String prefix = "PORTOSER_APPROLE_" + machine.name().toUpperCase(java.util.Locale.ROOT)
                    .replaceAll("[^A-Z0-9]", "_") + "_";
            String roleId = System.getenv(prefix + "ROLE_ID");
            String secretId = System.getenv(prefix + "SECRET_ID");
            return roleId == null || secretId == null ? Optional.empty()
                    : Optional.of(new Credentials(roleId, secretId));
        };
    }

    /**
     * Tries this source, then another.
     *
     * @param other the fallback
     * @return the combined source
     */
    default AppRoleCredentials orElse(AppRoleCredentials other) {
        return machine -> {
            Optional<Credentials> mine = forMachine(machine);
            return mine.isPresent() ? mine : other.forMachine(machine);
        };
    }

    /**
     * The default: the registry's {@code vault_role_id}/{@code vault_secret_id} when both are set, else
     * {@code DIR/MACHINE.json} ({@code {"role_id": ..., "secret_id": ...}}), which only its owner may read.
     *
     * @param directory the directory, {@code ~/.portoser/approles} usually
     * @return the source
     */
    static AppRoleCredentials files(Path directory) {
        ObjectMapper json = new ObjectMapper();
        return machine -> {
            if (machine.vaultRoleId() != null && machine.vaultSecretId() != null) {
                return Optional.of(new Credentials(machine.vaultRoleId(), machine.vaultSecretId()));
            }
            Path file = directory.resolve(machine.name() + ".json");
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            try {
                for (PosixFilePermission p : Files.getPosixFilePermissions(file)) {
                    if (p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_")) {
                        throw new SecretException("refusing " + file + ": others than its owner can access it "
                                + "(chmod 600 it)", null);
                    }
                }
                JsonNode node = json.readTree(file.toFile());
                if (!node.hasNonNull("role_id") || !node.hasNonNull("secret_id")) {
                    throw new SecretException(file + " must hold role_id and secret_id", null);
                }
                return Optional.of(new Credentials(node.get("role_id").asText(), node.get("secret_id").asText()));
            } catch (IOException e) {
                throw new SecretException("cannot read " + file + ": " + ErrorMessages.describe(e), null);
            }
        };
    }
}

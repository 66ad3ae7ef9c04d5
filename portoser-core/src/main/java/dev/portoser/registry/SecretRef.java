package dev.portoser.registry;

import dev.portoser.registry.internal.Patterns;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;
import java.util.Objects;

/**
 * A reference to keys of one secret in Vault ({@code vault_secrets[]}). It holds no secret value.
 * Instances are immutable and thread-safe.
 *
 * @param path the secret's path, such as {@code secret/data/myapp}
 * @param keys the keys to read from it, in file order; each becomes an environment variable of the service
 */
public record SecretRef(
        @NotNull(message = "missing required field (a Vault path such as secret/data/myapp)")
        @Pattern(regexp = Patterns.VAULT_PATH, message = Patterns.VAULT_PATH_MESSAGE)
        String path,
        @NotEmpty(message = "expected at least one key")
        List<@NotNull @Pattern(regexp = Patterns.VAULT_KEY, message = Patterns.VAULT_KEY_MESSAGE) String> keys) {

    /**
     * Copies the keys.
     *
     * @param keys the keys
     * @param path the path
     */
    public SecretRef {
        keys = List.copyOf(Objects.requireNonNullElse(keys, List.of()));
    }
}

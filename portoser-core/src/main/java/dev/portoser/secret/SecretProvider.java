package dev.portoser.secret;

import dev.portoser.registry.Machine;
import dev.portoser.registry.SecretRef;
import dev.portoser.registry.Service;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Resolves the secrets a service references ({@code vault_secrets}) for the machine it runs on. Implementations
 * are thread-safe, read only the keys listed, and throw {@link SecretNotFoundException} or
 * {@link SecretAccessDeniedException} naming the path and key. Register one on the executor.
 */
public interface SecretProvider {

    /**
     * One secret.
     *
     * @param machine the machine whose identity reads it (each machine reads with its own, where the provider
     *     has identities)
     * @param path the secret's path, such as {@code secret/data/myapp}
     * @param key the key in it
     * @return the secret
     * @throws SecretException when it cannot be read
     */
    Secret read(Machine machine, String path, String key);

    /**
     * Every secret of a service, named as environment variables: the key in upper case, other characters than
     * letters and digits as {@code _} ({@code database_url} becomes {@code DATABASE_URL}).
     *
     * @param machine the machine the service runs on
     * @param service the service
     * @return the secrets by variable name, in the order of the references
     * @throws SecretException when one cannot be read
     */
    default Map<String, Secret> resolve(Machine machine, Service service) {
        Map<String, Secret> secrets = new LinkedHashMap<>();
        for (SecretRef ref : service.vaultSecrets()) {
            for (String key : ref.keys()) {
                secrets.put(variableName(key), read(machine, ref.path(), key));
            }
        }
        return secrets;
    }

    /**
     * The environment variable a secret key becomes.
     *
     * @param key the key
     * @return the environment variable a secret key becomes
     */
    static String variableName(String key) {
        String name = key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_");
        return Character.isDigit(name.charAt(0)) ? "_" + name : name;
    }
}

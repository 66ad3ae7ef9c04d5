package dev.portoser.secret;

import dev.portoser.registry.Machine;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Secrets held in memory, by path and key: for tests and for embedding programs that get secrets their own way.
 * Every machine reads the same values. Immutable and thread-safe.
 */
public final class MapSecretProvider implements SecretProvider {
    private final Map<String, Map<String, String>> secrets;

    /**
     * A provider over a map.
     *
     * @param secrets path to (key to value); copied
     */
    public MapSecretProvider(Map<String, Map<String, String>> secrets) {
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        Objects.requireNonNull(secrets, "secrets == null").forEach((path, keys) -> copy.put(path, Map.copyOf(keys)));
        this.secrets = Map.copyOf(copy);
    }

    @Override
    public Secret read(Machine machine, String path, String key) {
        Map<String, String> keys = secrets.get(path);
        if (keys == null) {
            throw new SecretNotFoundException("no secret at " + path, null);
        }
        String value = keys.get(key);
        if (value == null) {
            throw new SecretNotFoundException("no key '" + key + "' in the secret at " + path, null);
        }
        return new Secret(value, null);
    }

    @Override
    public String toString() {
        return "MapSecretProvider[" + secrets.keySet() + "]";
    }
}

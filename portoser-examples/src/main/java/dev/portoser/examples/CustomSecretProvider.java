package dev.portoser.examples;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.secret.Secret;
import dev.portoser.secret.SecretNotFoundException;
import dev.portoser.secret.SecretProvider;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A custom {@link SecretProvider}: secrets from variables named after path and key
 * ({@code secret/data/myapp} + {@code api_key} is {@code SECRET_DATA_MYAPP_API_KEY}), as a CI system might inject
 * them. Register it with {@code Executor.builder().secrets(...)}.
 */
public final class CustomSecretProvider implements SecretProvider {
    private final Function<String, String> variables;

    CustomSecretProvider(Function<String, String> variables) {
        this.variables = variables;
    }

    @Override
    public Secret read(Machine machine, String path, String key) {
        String name = (path + "_" + key).toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
        String value = variables.apply(name);
        if (value == null) {
            throw new SecretNotFoundException("no variable " + name + " for key '" + key + "' of " + path, null);
        }
        return new Secret(value, null);
    }

    public static void main(String[] args) {
        Registry registry = Registry.parse("""
                machines:
                  m1: {host: 10.200.0.11, user: deploy, platform: linux}
                services:
                  app: {type: local, path: /srv/app, machine: m1, command: ./app, vault_secrets: [{path: secret/data/myapp, keys: [api_key, db_url]}]}
                """);
        SecretProvider provider = new CustomSecretProvider(Map.of("SECRET_DATA_MYAPP_API_KEY", "k-123",
                "SECRET_DATA_MYAPP_DB_URL", "postgres://db/app")::get);
        Map<String, Secret> secrets = provider.resolve(registry.machine("m1").orElseThrow(),
                registry.service("app").orElseThrow());
        secrets.forEach((name, secret) -> System.out.println(name + " = " + secret));
    }
}

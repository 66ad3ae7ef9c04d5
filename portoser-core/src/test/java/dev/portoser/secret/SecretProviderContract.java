package dev.portoser.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SecretProvider} must do; each provider's test extends this with a provider holding
 * {@code secret/data/myapp} = {api_key, database_url} and {@code secret/data/shared} = {smtp_password}.
 */
public abstract class SecretProviderContract {
    /** Values that must survive exactly: '=', quotes, spaces, newlines, unicode. */
    protected static final Map<String, Map<String, String>> SECRETS = Map.of(
            "secret/data/myapp", Map.of("api_key", "k=ey==", "database_url", "postgres://u:p'\"w d@db/x?a=1&b=2"),
            "secret/data/shared", Map.of("smtp_password", "line one\nline two é ☃"));

    /** A provider holding {@link #SECRETS}. */
    protected abstract SecretProvider provider() throws Exception;

    static final Registry REGISTRY = Registry.parse("""
            machines:
              m1: {host: h1, user: u, platform: linux}
            services:
              app:
                type: local
                path: /srv/app
                machine: m1
                command: ./run
                vault_secrets:
                  - path: secret/data/myapp
                    keys: [api_key, database_url]
                  - path: secret/data/shared
                    keys: [smtp_password]
              broken:
                type: local
                path: /srv/broken
                machine: m1
                command: ./run
                vault_secrets: [{path: secret/data/myapp, keys: [no_such_key]}]
            """);

    static Machine machine() {
        return REGISTRY.machine("m1").orElseThrow();
    }

    @Test
    void aServiceGetsEveryListedKeyAsAnEnvironmentVariableWithItsExactValue() throws Exception {
        Service app = REGISTRY.service("app").orElseThrow();
        Map<String, Secret> secrets = provider().resolve(machine(), app);
        assertThat(secrets.keySet()).containsExactly("API_KEY", "DATABASE_URL", "SMTP_PASSWORD");
        assertThat(secrets.get("API_KEY").reveal()).isEqualTo("k=ey==");
        assertThat(secrets.get("DATABASE_URL").reveal()).isEqualTo("postgres://u:p'\"w d@db/x?a=1&b=2");
        assertThat(secrets.get("SMTP_PASSWORD").reveal()).isEqualTo("line one\nline two é ☃");
    }

    @Test
    void aMissingKeyOrPathIsNamedWithoutAnyValue() throws Exception {
        SecretProvider provider = provider();
        assertThatThrownBy(() -> provider.resolve(machine(), REGISTRY.service("broken").orElseThrow()))
                .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("no_such_key")
                .hasMessageContaining("secret/data/myapp").hasMessageNotContaining("k=ey");
        assertThatThrownBy(() -> provider.read(machine(), "secret/data/nothing", "x"))
                .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("secret/data/nothing");
    }

    @Test
    void secretsNeverShowTheirValueAsText() throws Exception {
        Secret secret = provider().read(machine(), "secret/data/myapp", "api_key");
        assertThat(secret.toString()).doesNotContain("k=ey").startsWith("Secret[***");
        assertThat(String.valueOf(Map.of("API_KEY", secret))).doesNotContain("k=ey");
    }
}

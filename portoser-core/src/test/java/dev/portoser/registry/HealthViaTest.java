package dev.portoser.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code health.via}: direct by default, ssh on request, anything else refused with its place in the file. */
class HealthViaTest {
    private static final String REGISTRY = """
            machines:
              box: {host: 10.200.0.11, user: app, platform: linux}
            services:
              api: {type: local, path: /srv/api, machine: box, command: ./api, port: 8080, health: {type: http%s}}
            """;

    @Test
    void checksAreDirectUnlessTheRegistrySaysSsh() {
        assertThat(Registry.parse(REGISTRY.formatted("")).service("api").orElseThrow().health().via())
                .isEqualTo(HealthVia.DIRECT);
        HealthSpec ssh = Registry.parse(REGISTRY.formatted(", via: ssh")).service("api").orElseThrow().health();
        assertThat(ssh.via()).isEqualTo(HealthVia.SSH);
        assertThat(ssh.viaSsh()).isTrue();
    }

    @Test
    void anUnknownWayIsRefusedWithItsLineAndColumn() {
        assertThatThrownBy(() -> Registry.parse(REGISTRY.formatted(", via: tunnel")))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining(":4:")
                .hasMessageContaining("services.api.health.via")
                .hasMessageContaining("direct, ssh");
    }
}

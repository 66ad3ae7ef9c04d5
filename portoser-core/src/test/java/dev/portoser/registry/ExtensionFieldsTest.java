package dev.portoser.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Keys starting with {@code x-} are extension fields: allowed and ignored, so anchors can hold shared settings. */
class ExtensionFieldsTest {
    private static final String SHARED = """
            x-health-defaults: &health
              type: http
              endpoint: /health
              interval: 15
            x-owner: platform team
            machines:
              m1:
                host: 10.200.0.11
                user: deploy
                platform: linux
                x-rack: B4
            services:
              web:
                type: local
                path: /opt/web
                machine: m1
                command: ./run
                x-notes: {ticket: OPS-12}
                health:
                  <<: *health
                  port: 8080
              api:
                type: local
                path: /opt/api
                machine: m1
                command: ./api
                port: 9000
                health: *health
            """;

    @Test
    void extensionFieldsAtTheTopAndInMachinesAndServicesAreIgnoredAndTheirAnchorsWork() {
        Registry registry = Registry.parse(SHARED);
        assertThat(registry.warnings()).isEmpty();
        HealthSpec web = registry.service("web").orElseThrow().health();
        assertThat(web.endpoint()).isEqualTo("/health");
        assertThat(web.port()).isEqualTo(8080);
        assertThat(web.interval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(registry.service("api").orElseThrow().health().endpoint()).isEqualTo("/health");
        assertThat(registry.machine("m1").orElseThrow().host()).isEqualTo("10.200.0.11");
    }

    @Test
    void extensionFieldsElsewhereAreStillUnknownFields() {
        assertThat(RegistryAssertions.errors(RegistryAssertions.MACHINE + """
                services:
                  web:
                    type: local
                    path: /opt/web
                    machine: m1
                    command: ./run
                    health: {type: tcp, port: 80, x-extra: 1}
                """)).singleElement().asString()
                .contains("unknown field 'x-extra' in services.web.health");
        assertThat(RegistryAssertions.errors(RegistryAssertions.MACHINE + "x_owner: me\n")).singleElement()
                .asString().contains("unknown field 'x_owner' at the top level");
    }

    @Test
    void theSchemaAcceptsExtensionFieldsWhereTheLoaderDoes() throws IOException {
        JsonSchema schema;
        try (InputStream in = getClass().getResourceAsStream(RegistrySchemaTest.SCHEMA)) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(RegistrySchemaTest.JSON.readTree(in));
        }
        // The JSON view of YAML 1.2 does not resolve merge keys, so the schema sees the aliases only.
        String aliasesOnly = SHARED.replace("    health:\n      <<: *health\n      port: 8080\n",
                "    health: *health\n");
        assertThat(aliasesOnly).doesNotContain("<<");
        assertThat(schema.validate(RegistrySchemaTest.yamlAsJson(aliasesOnly))).isEmpty();
        assertThat(schema.validate(RegistrySchemaTest.yamlAsJson(RegistryAssertions.MACHINE + """
                services:
                  web: {type: local, path: /opt/web, machine: m1, health: {type: tcp, port: 80, x-extra: 1}}
                """))).isNotEmpty();
    }
}

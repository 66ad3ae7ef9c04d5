package dev.portoser.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.portoser.registry.internal.RegistryKeys;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The JSON Schema shipped for editors accepts every example, rejects what the loader rejects, and names our fields. */
class RegistrySchemaTest {
    static final String SCHEMA = "/dev/portoser/registry/registry.schema.json";
    static final ObjectMapper JSON = new ObjectMapper();
    static JsonNode schemaJson;
    static JsonSchema schema;

    @BeforeAll
    static void loadSchema() throws IOException {
        try (InputStream in = RegistrySchemaTest.class.getResourceAsStream(SCHEMA)) {
            schemaJson = JSON.readTree(in);
        }
        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaJson);
    }

    static JsonNode yamlAsJson(String yaml) {
        return JSON.valueToTree(new Load(LoadSettings.builder().build()).loadFromString(yaml));
    }

    static Stream<Path> examples() throws IOException {
        List<Path> all = new ArrayList<>();
        for (Path dir : List.of(Path.of("src/test/resources/seed"), Path.of("../examples"))) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    files.filter(p -> p.toString().endsWith(".yml")).sorted().forEach(all::add);
                }
            }
        }
        assertThat(all).hasSizeGreaterThanOrEqualTo(8);
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleRegistryMatchesTheSchema(Path example) throws IOException {
        Set<ValidationMessage> messages = schema.validate(yamlAsJson(Files.readString(example)));
        assertThat(messages).as(example.toString()).isEmpty();
    }

    @Test
    void theSchemaRejectsWhatTheLoaderRejects() {
        assertThat(schema.validate(yamlAsJson("""
                machines:
                  m1: {host: h1, user: u, platform: windows}
                services:
                  web: {type: docker, path: relative, machine: m1, depends_On: [x], port: 70000}
                """))).extracting(ValidationMessage::getInstanceLocation).extracting(Object::toString)
                .contains("$.machines.m1.platform", "$.services.web.port", "$.services.web.path");
        assertThat(schema.validate(yamlAsJson("""
                services:
                  web: {type: docker, path: /opt/web, machine: m1, depends_On: [x]}
                """))).isNotEmpty();
        assertThat(schema.validate(yamlAsJson("""
                machines:
                  m1: {user: u, platform: linux}
                """))).isNotEmpty();
    }

    @Test
    void theSchemaNamesExactlyTheKeysTheLoaderAccepts() {
        assertThat(propertyNames(schemaJson)).containsExactlyInAnyOrderElementsOf(RegistryKeys.ROOT);
        JsonNode defs = schemaJson.get("$defs");
        assertThat(propertyNames(defs.get("machine"))).containsExactlyInAnyOrderElementsOf(RegistryKeys.MACHINE);
        assertThat(propertyNames(defs.get("service"))).containsExactlyInAnyOrderElementsOf(RegistryKeys.SERVICE);
        assertThat(propertyNames(defs.get("health"))).containsExactlyInAnyOrderElementsOf(RegistryKeys.HEALTH);
        assertThat(propertyNames(defs.get("portMapping"))).containsExactlyInAnyOrderElementsOf(RegistryKeys.PORT_MAPPING);
        assertThat(propertyNames(defs.get("secretRef"))).containsExactlyInAnyOrderElementsOf(RegistryKeys.SECRET_REF);
        assertThat(propertyNames(defs.get("resources"))).containsExactlyInAnyOrderElementsOf(RegistryKeys.RESOURCES);
    }

    @Test
    void theLoaderKeysCoverEveryModelField() {
        assertThat(yamlNames(Machine.class)).isSubsetOf(RegistryKeys.MACHINE);
        assertThat(yamlNames(Service.class)).isSubsetOf(RegistryKeys.SERVICE);
        assertThat(yamlNames(HealthSpec.class)).containsExactlyInAnyOrderElementsOf(RegistryKeys.HEALTH);
        assertThat(yamlNames(PortMapping.class)).containsExactlyInAnyOrderElementsOf(RegistryKeys.PORT_MAPPING);
        assertThat(yamlNames(SecretRef.class)).containsExactlyInAnyOrderElementsOf(RegistryKeys.SECRET_REF);
        assertThat(yamlNames(Resources.class)).containsExactlyInAnyOrderElementsOf(RegistryKeys.RESOURCES);
    }

    /** Record components in YAML spelling; {@code name} is the entry's key and {@code autoPort} is {@code port: auto}. */
    private static Set<String> yamlNames(Class<? extends Record> type) {
        Set<String> names = new HashSet<>();
        for (RecordComponent c : type.getRecordComponents()) {
            String name = c.getName();
            if (name.equals("name") || name.equals("autoPort")) {
                continue;
            }
            names.add(name.equals("sshPort") ? "port" : name.replaceAll("([A-Z])", "_$1").toLowerCase());
        }
        return names;
    }

    private static Set<String> propertyNames(JsonNode object) {
        Set<String> names = new HashSet<>();
        object.get("properties").fieldNames().forEachRemaining(names::add);
        return names;
    }
}

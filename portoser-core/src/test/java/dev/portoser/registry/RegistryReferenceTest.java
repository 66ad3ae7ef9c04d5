package dev.portoser.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/registry-reference.md}, every field of {@code registry.yml}, is generated from the JSON Schema the
 * loader is checked against, so the two cannot drift. This test fails when the page is not what the schema gives;
 * {@code -Dportoser.docs.write=true} rewrites it.
 */
class RegistryReferenceTest {
    static final Path PAGE = Path.of("..", "docs", "registry-reference.md");
    static final List<Map.Entry<String, String>> SECTIONS = List.of(
            Map.entry("machine", "machines.NAME"), Map.entry("service", "services.NAME"),
            Map.entry("health", "services.NAME.health"), Map.entry("portMapping", "services.NAME.port_mapping"),
            Map.entry("secretRef", "services.NAME.vault_secrets[]"), Map.entry("resources", "services.NAME.resources"));

    @Test
    void thePageIsWhatTheSchemaSays() throws Exception {
        String generated = generate();
        if (Boolean.getBoolean("portoser.docs.write")) {
            Files.writeString(PAGE, generated, StandardCharsets.UTF_8);
        }
        assertThat(PAGE).as("run with -Dportoser.docs.write=true to regenerate it").exists();
        assertThat(Files.readString(PAGE, StandardCharsets.UTF_8))
                .as("docs/registry-reference.md is stale: regenerate it with -Dportoser.docs.write=true")
                .isEqualTo(generated);
    }

    @Test
    void everyFieldHasADescription() throws Exception {
        JsonNode defs = schema().get("$defs");
        List<String> undocumented = new ArrayList<>();
        for (Map.Entry<String, String> section : SECTIONS) {
            defs.get(section.getKey()).get("properties").fields().forEachRemaining(f -> {
                if (!f.getValue().has("description")) {
                    undocumented.add(section.getValue() + "." + f.getKey());
                }
            });
        }
        assertThat(undocumented).isEmpty();
    }

    static JsonNode schema() throws Exception {
        try (InputStream in = RegistryReferenceTest.class.getResourceAsStream(RegistrySchemaTest.SCHEMA)) {
            return new ObjectMapper().readTree(in);
        }
    }

    static String generate() throws Exception {
        JsonNode schema = schema();
        JsonNode defs = schema.get("$defs");
        StringBuilder out = new StringBuilder();
        out.append("# registry.yml reference\n\n")
                .append("<!-- Generated from portoser-core/src/main/resources/dev/portoser/registry/registry.schema.json")
                .append(" by RegistryReferenceTest; do not edit: change the schema, then run\n")
                .append("     ./mvnw -pl portoser-core test -Dtest=RegistryReferenceTest -Dportoser.docs.write=true -->\n\n")
                .append(schema.get("description").asText()).append("\n\n")
                .append("Names (of machines, services, groups) are 1 to 63 letters, digits, `_`, `.` or `-`, starting with a")
                .append(" letter or digit. Any value may be a template variable, `{{ NAME }}`. Keys starting with `x-` are")
                .append(" extension fields: allowed and ignored.\n\n")
                .append("| top-level key | what it holds |\n|---|---|\n");
        for (Iterator<Map.Entry<String, JsonNode>> it = schema.get("properties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            out.append("| `").append(f.getKey()).append("` | ").append(cell(f.getValue().get("description").asText()))
                    .append(" |\n");
        }
        for (Map.Entry<String, String> section : SECTIONS) {
            JsonNode def = defs.get(section.getKey());
            List<String> required = new ArrayList<>();
            def.path("required").forEach(r -> required.add(r.asText()));
            out.append("\n## `").append(section.getValue()).append("`\n\n")
                    .append("| field | required | value | meaning |\n|---|---|---|---|\n");
            for (Iterator<Map.Entry<String, JsonNode>> it = def.get("properties").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                out.append("| `").append(f.getKey()).append("` | ").append(required.contains(f.getKey()) ? "yes" : "")
                        .append(" | ").append(cell(type(f.getValue(), defs))).append(" | ")
                        .append(cell(f.getValue().path("description").asText(""))).append(" |\n");
            }
        }
        return out.toString();
    }

    /** The kind of value a field takes, in words. */
    static String type(JsonNode node, JsonNode defs) {
        if (node.has("$ref")) {
            String ref = node.get("$ref").asText().substring("#/$defs/".length());
            return switch (ref) {
                case "name" -> "a name";
                case "tags" -> "a list of tags";
                case "port" -> "a port, 1 to 65535";
                case "duration" -> "a duration: seconds, or a number with ms, s, m or h";
                case "absolutePath" -> "an absolute path";
                case "innerPath" -> "a path";
                case "template" -> "a template variable";
                default -> "a mapping: see `" + ref(ref) + "`";
            };
        }
        if (node.has("enum")) {
            List<String> values = new ArrayList<>();
            node.get("enum").forEach(v -> values.add("`" + v.asText() + "`"));
            return "one of " + String.join(", ", values);
        }
        if (node.has("const")) {
            return "`" + node.get("const").asText() + "`";
        }
        if (node.has("anyOf")) {
            List<String> options = new ArrayList<>();
            node.get("anyOf").forEach(o -> options.add(type(o, defs)));
            return String.join(", or ", options);
        }
        JsonNode t = node.path("type");
        String kind = t.isArray() ? t.get(0).asText() : t.asText("any value");
        return switch (kind) {
            case "array" -> "a list of " + plural(type(node.get("items"), defs));
            case "object" -> node.has("additionalProperties") && node.get("additionalProperties").isObject()
                    ? "a mapping of names to " + plural(type(node.get("additionalProperties"), defs)) : "a mapping";
            case "string" -> "text";
            case "integer" -> "a whole number";
            case "number" -> "a number";
            case "boolean" -> "`true` or `false`";
            default -> kind;
        };
    }

    private static String ref(String def) {
        for (Map.Entry<String, String> section : SECTIONS) {
            if (section.getKey().equals(def)) {
                return section.getValue();
            }
        }
        return def;
    }

    private static String plural(String one) {
        if (one.startsWith("a port, ")) {
            return "ports, " + one.substring("a port, ".length());
        }
        if (one.startsWith("a mapping: ")) {
            return "mappings: " + one.substring("a mapping: ".length());
        }
        return one.startsWith("a ") ? one.substring(2) + "s" : one.startsWith("an ") ? one.substring(3) + "s" : one;
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}

package dev.portoser.registry.internal;

import dev.portoser.registry.HealthSpec;
import dev.portoser.registry.HealthType;
import dev.portoser.registry.HealthVia;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Platform;
import dev.portoser.registry.PortMapping;
import dev.portoser.registry.Problem;
import dev.portoser.registry.Resources;
import dev.portoser.registry.SecretRef;
import dev.portoser.registry.Service;
import dev.portoser.registry.ServiceType;
import dev.portoser.registry.Severity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Turns the YAML tree into model records, reporting every shape problem (wrong kind of node, unknown key,
 * value that is not a number...) with its position, and recording where each value came from so that later
 * checks can point at it. Field rules (ranges, patterns) are left to the validator. Single-use, not thread-safe.
 */
public final class RegistryBinder {
    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]{1,10}");
    private static final Pattern DURATION = Pattern.compile("([+-]?[0-9]{1,9}(?:\\.[0-9]{1,9})?)\\s*(ms|s|m|h)?");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?[0-9]{1,9}(\\.[0-9]{1,9})?");
    private static final Pattern SECRET_LOOKING_KEY = Pattern.compile(
            "(?i).*(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY).*");

    private final String source;
    private final Templates templates;
    private final List<Problem> problems;
    private final Locations locations;

    /**
     * The records bound from the tree.
     *
     * @param machines machines by name, in file order
     * @param services services by name, in file order
     * @param groups declared groups ({@code groups:}) by name, with their listed members, in file order
     */
    public record Bound(Map<String, Machine> machines, Map<String, Service> services, Map<String, List<String>> groups) {
    }

    /**
     * Creates a binder.
     *
     * @param source the file name used in problems
     * @param templates resolves {@code {{ NAME }}} references
     * @param problems receives every problem found
     * @param locations receives the position of every bound value
     */
    public RegistryBinder(String source, Templates templates, List<Problem> problems, Locations locations) {
        this.source = source;
        this.templates = templates;
        this.problems = problems;
        this.locations = locations;
    }

    /**
     * Binds the whole document.
     *
     * @param root the document's root node
     * @return what could be bound; entries with shape problems are bound as far as possible
     */
    public Bound bind(YamlNode root) {
        Map<String, Machine> machines = new LinkedHashMap<>();
        Map<String, Service> services = new LinkedHashMap<>();
        Map<String, List<String>> groups = new LinkedHashMap<>();
        if (!(root instanceof YamlNode.Mapping mapping)) {
            error(root, "", "expected a mapping with 'machines:' and 'services:' at the top, found " + root.kind());
            return new Bound(machines, services, groups);
        }
        Section top = new Section(mapping, "", "", RegistryKeys.ROOT);
        top.entries("machines").forEach((name, entry) -> machines.put(name, machine(name, entry)));
        top.entries("services").forEach((name, entry) -> services.put(name, service(name, entry)));
        top.entries("groups").forEach((name, entry) -> groups.put(name, group(name, entry)));
        return new Bound(machines, services, groups);
    }

    private Machine machine(String name, YamlNode.Entry entry) {
        Section m = section(entry, "machines", name, RegistryKeys.MACHINE);
        Integer port = m.integer("port", "sshPort");
        Integer sshPort = m.integer("ssh_port", "sshPort");
        if (port != null && sshPort != null) {
            m.error("ssh_port", "give the SSH port once, as 'port' or as 'ssh_port', not both");
        }
        String secretId = m.string("vault_secret_id", "vaultSecretId");
        m.raw("vault_secret_id").filter(raw -> !Templates.hasReference(raw)).ifPresent(raw -> m.warning(
                "vault_secret_id", "a literal AppRole secret id is stored in the registry; keep it in "
                        + "~/.portoser/approles/" + name + ".json (mode 0600) or pass it as a {{ VARIABLE }}"));
        return new Machine(name, m.string("host", "host"), m.string("user", "user"),
                m.word("platform", "platform", Platform::fromYaml, "darwin, linux, bsd"),
                port != null ? port : sshPort != null ? sshPort : Machine.DEFAULT_SSH_PORT,
                m.string("ssh_key", "sshKey"), m.string("vault_role", "vaultRole"),
                m.string("vault_role_id", "vaultRoleId"), secretId, m.string("description", "description"),
                m.strings("tags", "tags"));
    }

    private Service service(String name, YamlNode.Entry entry) {
        Section s = section(entry, "services", name, RegistryKeys.SERVICE);
        boolean autoPort = s.raw("port").filter(p -> p.trim().equalsIgnoreCase("auto")).isPresent();
        Integer port = autoPort ? null : s.integer("port", "port");
        if (autoPort) {
            s.record("port", "port");
        }
        return new Service(name,
                s.word("type", "type", ServiceType::fromYaml, "docker, local, native"),
                s.string("path", "path"), s.string("machine", "machine"), port, autoPort,
                s.integers("ports", "ports"), s.child("port_mapping", "portMapping", RegistryKeys.PORT_MAPPING)
                        .map(pm -> new PortMapping(pm.integer("host", "host"), pm.integer("container", "container")))
                        .orElse(null),
                s.child("health", "health", RegistryKeys.HEALTH).map(this::health).orElse(null),
                s.strings("depends_on", "dependsOn"), env(s), s.string("env_file", "envFile"), secretRefs(s),
                s.child("resources", "resources", RegistryKeys.RESOURCES).map(r -> new Resources(
                        r.string("memory", "memory"), r.decimal("cpus", "cpus"), r.string("disk", "disk")))
                        .orElse(null),
                s.strings("tags", "tags"), s.string("group", "group"), s.string("compose_file", "composeFile"),
                s.string("command", "command"), s.string("log_file", "logFile"),
                s.string("service_name", "serviceName"), s.string("description", "description"));
    }

    private HealthSpec health(Section h) {
        Integer retries = h.integer("retries", "retries");
        Integer status = h.integer("expected_status", "expectedStatus");
        return new HealthSpec(h.word("type", "type", HealthType::fromYaml, "http, tcp, process"),
                h.string("endpoint", "endpoint"), h.integer("port", "port"),
                h.duration("interval", "interval"), h.duration("timeout", "timeout"),
                retries != null ? retries : HealthSpec.DEFAULT_RETRIES,
                status != null ? status : HealthSpec.DEFAULT_EXPECTED_STATUS, h.string("pid_file", "pidFile"),
                h.word("via", "via", HealthVia::fromYaml, "direct, ssh"));
    }

    private Map<String, String> env(Section s) {
        Map<String, String> env = new LinkedHashMap<>();
        s.entries("env").forEach((key, entry) -> {
            String model = s.model + ".env[" + key + "]";
            String yaml = s.yaml + ".env." + key;
            locations.put(model, yaml, entry.key());
            if (!(entry.value() instanceof YamlNode.Scalar value)) {
                error(entry.value(), yaml, "expected a text value, found " + entry.value().kind());
                locations.markReported(model);
                return;
            }
            if (value.isNull()) {
                error(value, yaml, "expected a value (write \"\" for an empty one)");
                locations.markReported(model);
                return;
            }
            String resolved = resolve(value, yaml);
            if (resolved == null) {
                locations.markReported(model);
                return;
            }
            if (!Templates.hasReference(value.value()) && !resolved.isEmpty()
                    && SECRET_LOOKING_KEY.matcher(key).matches()) {
                problems.add(new Problem(Severity.WARNING, source, value.line(), value.column(), yaml,
                        "'" + key + "' looks like a secret stored in the registry; move it to vault_secrets"));
            }
            env.put(key, resolved);
        });
        return env;
    }

    private List<SecretRef> secretRefs(Section s) {
        List<SecretRef> refs = new ArrayList<>();
        List<YamlNode> items = s.items("vault_secrets", "vaultSecrets");
        for (int i = 0; i < items.size(); i++) {
            String model = s.model + ".vaultSecrets[" + i + "]";
            String yaml = s.yaml + ".vault_secrets[" + i + "]";
            YamlNode item = items.get(i);
            if (!(item instanceof YamlNode.Mapping mapping)) {
                error(item, yaml, "expected a mapping with 'path' and 'keys', found " + item.kind());
                locations.markReported(model);
                continue;
            }
            locations.put(model, yaml, item);
            Section ref = new Section(mapping, model, yaml, RegistryKeys.SECRET_REF);
            refs.add(new SecretRef(ref.string("path", "path"), ref.strings("keys", "keys")));
        }
        return refs;
    }

    private List<String> group(String name, YamlNode.Entry entry) {
        String model = "groups." + name;
        locations.put(model, model, entry.key());
        locations.put(model + ".name", model, entry.key());
        if (entry.value() instanceof YamlNode.Scalar scalar && scalar.isNull()) {
            return List.of();
        }
        if (!(entry.value() instanceof YamlNode.Sequence sequence)) {
            error(entry.value(), model, "expected a list of service names, found " + entry.value().kind());
            return List.of();
        }
        List<String> members = new ArrayList<>();
        for (int i = 0; i < sequence.items().size(); i++) {
            String value = scalarText(sequence.items().get(i), model + "[" + i + "]", model + "[" + i + "]");
            if (value != null) {
                members.add(value);
            }
        }
        return members;
    }

    private Section section(YamlNode.Entry entry, String kind, String name, List<String> keys) {
        String path = kind + "." + name;
        locations.put(path, path, entry.key());
        locations.put(path + ".name", path, entry.key());
        YamlNode value = entry.value();
        if (value instanceof YamlNode.Mapping mapping) {
            return new Section(mapping, path, path, keys);
        }
        if (!(value instanceof YamlNode.Scalar scalar && scalar.isNull())) {
            error(value, path, "expected a mapping of fields, found " + value.kind());
            locations.markReported(path);
        }
        return new Section(new YamlNode.Mapping(Map.of(), entry.key().line(), entry.key().column()), path, path, keys);
    }

    /** The text of a scalar at a path, templates resolved; null (with a problem) for anything else. */
    private @Nullable String scalarText(YamlNode node, String model, String yaml) {
        locations.put(model, yaml, node);
        if (!(node instanceof YamlNode.Scalar scalar)) {
            error(node, yaml, "expected a single value, found " + node.kind());
            locations.markReported(model);
            return null;
        }
        if (scalar.isNull()) {
            return null;
        }
        String resolved = resolve(scalar, yaml);
        if (resolved == null) {
            locations.markReported(model);
        }
        return resolved;
    }

    private @Nullable String resolve(YamlNode.Scalar scalar, String yaml) {
        List<Templates.Failure> failures = new ArrayList<>();
        String resolved = templates.resolve(scalar.value(), failures);
        for (Templates.Failure failure : failures) {
            boolean oneLine = scalar.value().indexOf('\n') < 0;
            int column = scalar.column() + (oneLine ? failure.offset() + (scalar.plain() ? 0 : 1) : 0);
            problems.add(new Problem(Severity.ERROR, source, scalar.line(), column, yaml, failure.message()));
        }
        if (!failures.isEmpty()) {
            return null;
        }
        int nul = resolved.indexOf('\0');
        if (nul >= 0) {
            error(scalar, yaml, "the NUL character is not allowed in registry values");
            return null;
        }
        String hostile = hostileCharacter(resolved);
        if (hostile != null) {
            error(scalar, yaml, hostile);
            return null;
        }
        return resolved;
    }

    /**
     * Controls (escape sequences that drive a terminal) and bidirectional overrides (text that reads differently
     * from how it is stored) have no place in a registry value; tab and line breaks do.
     */
    private static @Nullable String hostileCharacter(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7f && c <= 0x9f)) {
                return String.format("the control character U+%04X is not allowed in registry values", (int) c);
            }
            if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f
                    || c == 0x061c) {
                return String.format("the bidirectional control U+%04X is not allowed in registry values: it "
                        + "makes text read differently from how it is stored", (int) c);
            }
        }
        return null;
    }

    private void error(YamlNode node, String yaml, String message) {
        problems.add(new Problem(Severity.ERROR, source, node.line(), node.column(), yaml, message));
    }

    /** One mapping being read: knows its paths, reports unknown keys once, and reads typed fields. */
    private final class Section {
        private final YamlNode.Mapping mapping;
        private final String model;
        private final String yaml;

        Section(YamlNode.Mapping mapping, String model, String yaml, List<String> keys) {
            this.mapping = mapping;
            this.model = model;
            this.yaml = yaml;
            boolean extensible = keys == RegistryKeys.ROOT || keys == RegistryKeys.MACHINE || keys == RegistryKeys.SERVICE;
            for (YamlNode.Entry entry : mapping.entries().values()) {
                String key = entry.key().value();
                if (extensible && key.startsWith(RegistryKeys.EXTENSION_PREFIX)) {
                    continue;
                }
                if (!keys.contains(key)) {
                    String where = yaml.isEmpty() ? "at the top level" : "in " + yaml;
                    problems.add(new Problem(Severity.ERROR, source, entry.key().line(), entry.key().column(),
                            yaml.isEmpty() ? key : yaml + "." + key, "unknown field '" + Texts.shown(key) + "' " + where
                            + Suggestions.didYouMean(key, keys) + "; expected one of " + String.join(", ", keys)));
                }
            }
        }

        private @Nullable YamlNode node(String key) {
            YamlNode.Entry entry = mapping.entries().get(key);
            return entry == null ? null : entry.value();
        }

        private String yamlOf(String key) {
            return yaml.isEmpty() ? key : yaml + "." + key;
        }

        private String modelOf(String field) {
            return model.isEmpty() ? field : model + "." + field;
        }

        void record(String key, String field) {
            YamlNode node = node(key);
            if (node != null) {
                locations.put(modelOf(field), yamlOf(key), node);
            }
        }

        void error(String key, String message) {
            YamlNode node = node(key);
            RegistryBinder.this.error(node != null ? node : mapping, yamlOf(key), message);
        }

        void warning(String key, String message) {
            YamlNode node = node(key);
            YamlNode at = node != null ? node : mapping;
            problems.add(new Problem(Severity.WARNING, source, at.line(), at.column(), yamlOf(key), message));
        }

        /** The unresolved text of a scalar field, for checks on what the author wrote. */
        Optional<String> raw(String key) {
            return node(key) instanceof YamlNode.Scalar s && !s.isNull() ? Optional.of(s.value()) : Optional.empty();
        }

        @Nullable String string(String key, String field) {
            YamlNode node = node(key);
            return node == null ? null : scalarText(node, modelOf(field), yamlOf(key));
        }

        private @Nullable <T> T parsed(String key, String field, Function<String, T> parse, String expected) {
            String text = string(key, field);
            if (text == null) {
                return null;
            }
            T value = parse.apply(text.trim());
            if (value == null) {
                RegistryBinder.this.error(node(key), yamlOf(key), "expected " + expected + ", found '"
                        + Texts.shown(text) + "'");
                locations.markReported(modelOf(field));
            }
            return value;
        }

        @Nullable Integer integer(String key, String field) {
            return parsed(key, field, RegistryBinder::parseInteger, "a whole number");
        }

        @Nullable Double decimal(String key, String field) {
            return parsed(key, field, t -> DECIMAL.matcher(t).matches() ? Double.valueOf(t) : null, "a number");
        }

        @Nullable Duration duration(String key, String field) {
            return parsed(key, field, RegistryBinder::parseDuration,
                    "a duration in seconds such as 30, or with a unit such as 500ms, 30s, 2m, 1h");
        }

        <E> @Nullable E word(String key, String field, Function<String, Optional<E>> parse, String choices) {
            return parsed(key, field, t -> parse.apply(t).orElse(null), "one of " + choices);
        }

        List<YamlNode> items(String key, String field) {
            YamlNode node = node(key);
            if (node == null || (node instanceof YamlNode.Scalar s && s.isNull())) {
                return List.of();
            }
            locations.put(modelOf(field), yamlOf(key), node);
            if (node instanceof YamlNode.Sequence seq) {
                return seq.items();
            }
            RegistryBinder.this.error(node, yamlOf(key), "expected a list, found " + node.kind());
            locations.markReported(modelOf(field));
            return List.of();
        }

        List<String> strings(String key, String field) {
            List<YamlNode> items = items(key, field);
            List<String> values = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                String value = scalarText(items.get(i), modelOf(field) + "[" + i + "]", yamlOf(key) + "[" + i + "]");
                if (value != null) {
                    values.add(value);
                }
            }
            return values;
        }

        List<Integer> integers(String key, String field) {
            List<YamlNode> items = items(key, field);
            List<Integer> values = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                String itemYaml = yamlOf(key) + "[" + i + "]";
                String text = scalarText(items.get(i), modelOf(field) + "[" + i + "]", itemYaml);
                Integer value = text == null ? null : parseInteger(text.trim());
                if (value != null) {
                    values.add(value);
                } else if (text != null) {
                    RegistryBinder.this.error(items.get(i), itemYaml, "expected a whole number, found '"
                            + Texts.shown(text) + "'");
                }
            }
            return values;
        }

        Map<String, YamlNode.Entry> entries(String key) {
            YamlNode node = node(key);
            if (node == null || (node instanceof YamlNode.Scalar s && s.isNull())) {
                return Map.of();
            }
            if (node instanceof YamlNode.Mapping m) {
                return m.entries();
            }
            RegistryBinder.this.error(node, yamlOf(key), "expected a mapping, found " + node.kind());
            return Map.of();
        }

        Optional<Section> child(String key, String field, List<String> keys) {
            YamlNode node = node(key);
            if (node == null || (node instanceof YamlNode.Scalar s && s.isNull())) {
                return Optional.empty();
            }
            locations.put(modelOf(field), yamlOf(key), node);
            if (node instanceof YamlNode.Mapping m) {
                return Optional.of(new Section(m, modelOf(field), yamlOf(key), keys));
            }
            RegistryBinder.this.error(node, yamlOf(key), "expected a mapping, found " + node.kind());
            locations.markReported(modelOf(field));
            return Optional.empty();
        }
    }

    static @Nullable Integer parseInteger(String text) {
        if (!INTEGER.matcher(text).matches()) {
            return null;
        }
        long value = Long.parseLong(text);
        return value > Integer.MAX_VALUE || value < Integer.MIN_VALUE ? null : (int) value;
    }

    static @Nullable Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            return null;
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> amount;
            case "m" -> amount * 60_000;
            case "h" -> amount * 3_600_000;
            default -> amount * 1_000;
        };
        return Duration.ofNanos(Math.round(millis * 1_000_000));
    }
}

package dev.portoser.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Turns a registry of the Bash Portoser (the schema its code reads: {@code hosts:} with {@code ip}/{@code ssh_user},
 * services with {@code current_host}, {@code deployment_type}, {@code docker_compose}, {@code healthcheck_url},
 * {@code dependencies}) into a registry of ours. What maps is kept; every field it could not map, or whose value it
 * had to guess, is reported with its line and column in the old file.
 */
final class BashRegistryImport {
    /** What the import made: the new registry's text and the notes about the old file, in file order. */
    record Result(String yaml, List<String> notes) {
    }

    /** Fields that have no counterpart here, with the reason given in the report. */
    private static final Map<String, String> HOST_UNMAPPED = Map.of(
            "context", "Docker runs on the machine itself over SSH; no Docker context is used",
            "status", "the state of a machine is observed, not stored in the registry",
            "ssh_hostname", "the machine is reached at its host");
    private static final Map<String, String> SERVICE_UNMAPPED = Map.ofEntries(
            Map.entry("hostname", "DNS names are not managed here"),
            Map.entry("tls_cert", "TLS and Caddy are not managed here"),
            Map.entry("tls_key", "TLS and Caddy are not managed here"),
            Map.entry("ca_cert", "TLS and Caddy are not managed here"),
            Map.entry("platform", "the platform is the machine's"),
            Map.entry("target_tag", "image tags belong in the Compose file"),
            Map.entry("tag", "image tags belong in the Compose file"),
            Map.entry("python_manager", "a local service runs its command; put the venv/poetry/uv call in it"),
            Map.entry("restart_command", "restart is stop then start of the service's own command or unit"),
            Map.entry("healthcheck_command", "health checks are http, tcp or process; a shell command is not one"),
            Map.entry("last_updated", "deploy history is kept in ~/.portoser, not in the registry"));
    private static final Map<String, String> TOP_UNMAPPED = Map.of(
            "domain", "DNS names are not managed here",
            "dns", "DNS is not managed here",
            "caddy", "Caddy is not managed here",
            "version", "the Bash schema's version",
            "last_updated", "not kept in the registry",
            "schema", "the Bash schema's name",
            "notes", "free text: keep it as a YAML comment if needed");

    private final String source;
    private final List<Note> notes = new ArrayList<>();
    private final Map<String, Map<String, Object>> machines = new LinkedHashMap<>();
    private final Map<String, String> basePaths = new LinkedHashMap<>();
    private final Map<String, String> machineHosts = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> services = new LinkedHashMap<>();
    private final String defaultUser;

    private record Note(int line, int column, String text) {
    }

    private BashRegistryImport(String source, String defaultUser) {
        this.source = source;
        this.defaultUser = defaultUser;
    }

    /**
     * Converts the text of a Bash Portoser registry.
     *
     * @param text the old registry
     * @param source its file name, for the notes
     * @param defaultUser the SSH login used where the old file has no {@code ssh_user} (the Bash tool took $USER)
     * @return the new registry and the notes
     * @throws FailedException when the text is not YAML or not a Bash registry
     */
    static Result convert(String text, String source, String defaultUser) {
        BashRegistryImport in = new BashRegistryImport(source, defaultUser);
        Node root;
        try {
            Optional<Node> composed = new Compose(LoadSettings.builder().setLabel(source).build()).composeString(text);
            root = composed.orElseThrow(() -> new FailedException(source + ": the file is empty"));
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
            int column = e.getProblemMark().map(m -> m.getColumn() + 1).orElse(0);
            throw new FailedException(source + ":" + line + ":" + column + ": not valid YAML: " + e.getProblem());
        }
        if (!(root instanceof MappingNode top)) {
            throw new FailedException(in.where(root) + ": expected a mapping with hosts: and services:");
        }
        in.read(top);
        return new Result(in.render(), in.notes.stream().sorted((a, b) -> a.line() != b.line()
                ? Integer.compare(a.line(), b.line()) : Integer.compare(a.column(), b.column()))
                .map(n -> source + ":" + n.line() + ":" + n.column() + ": " + n.text()).toList());
    }

    private void read(MappingNode top) {
        MappingNode hosts = null;
        MappingNode servicesNode = null;
        for (NodeTuple t : top.getValue()) {
            String key = scalar(t.getKeyNode());
            switch (key) {
                case "hosts" -> hosts = mapping(t.getValueNode(), "hosts");
                case "machines" -> note(t.getKeyNode(), "not mapped: machines (already this project's schema:"
                        + " use 'portoser registry validate' on the file itself)");
                case "services" -> servicesNode = mapping(t.getValueNode(), "services");
                default -> note(t.getKeyNode(), "not mapped: " + key + " ("
                        + TOP_UNMAPPED.getOrDefault(key, "unknown field") + ")");
            }
        }
        if (hosts == null) {
            throw new FailedException(where(top) + ": no hosts: mapping, so this is not a Bash Portoser registry");
        }
        for (NodeTuple t : hosts.getValue()) {
            readHost(scalar(t.getKeyNode()), t.getKeyNode(), mapping(t.getValueNode(), "hosts." + scalar(t.getKeyNode())));
        }
        if (servicesNode != null) {
            for (NodeTuple t : servicesNode.getValue()) {
                readService(scalar(t.getKeyNode()), t.getKeyNode(),
                        mapping(t.getValueNode(), "services." + scalar(t.getKeyNode())));
            }
        }
    }

    private void readHost(String name, Node keyNode, MappingNode host) {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Node> fields = fields(host);
        String at = "hosts." + name;
        if (fields.containsKey("ip")) {
            m.put("host", scalar(fields.get("ip")));
        } else if (fields.containsKey("ssh_hostname")) {
            m.put("host", scalar(fields.get("ssh_hostname")));
            note(fields.get("ssh_hostname"), "guessed: " + at + ".ssh_hostname became host (there is no ip)");
        } else {
            note(keyNode, "not mapped: " + at + " has no ip; set machines." + name + ".host");
        }
        if (fields.containsKey("ssh_user")) {
            m.put("user", scalar(fields.get("ssh_user")));
        } else {
            m.put("user", defaultUser);
            note(keyNode, "guessed: " + at + " has no ssh_user; the Bash tool used $USER, so user is '" + defaultUser
                    + "'");
        }
        m.put("platform", platform(at, keyNode, fields.get("arch")));
        if (fields.containsKey("ssh_port")) {
            m.put("ssh_port", number(fields.get("ssh_port")));
        }
        if (fields.containsKey("roles")) {
            m.put("tags", list(fields.get("roles")));
        }
        if (fields.containsKey("path")) {
            basePaths.put(name, scalar(fields.get("path")));
        }
        for (Map.Entry<String, Node> f : fields.entrySet()) {
            String key = f.getKey();
            if (HOST_UNMAPPED.containsKey(key) && !(key.equals("ssh_hostname") && !fields.containsKey("ip"))) {
                note(f.getValue(), "not mapped: " + at + "." + key + " (" + HOST_UNMAPPED.get(key) + ")");
            } else if (!Set.of("ip", "ssh_user", "ssh_port", "arch", "roles", "path", "ssh_hostname").contains(key)) {
                note(f.getValue(), "not mapped: " + at + "." + key + " (unknown field)");
            }
        }
        machineHosts.put(name, String.valueOf(m.get("host")));
        machines.put(name, m);
    }

    private String platform(String at, Node keyNode, Node arch) {
        if (arch == null) {
            note(keyNode, "guessed: " + at + " has no arch; platform is linux");
            return "linux";
        }
        String value = scalar(arch).toLowerCase(java.util.Locale.ROOT);
        if (value.contains("apple") || value.contains("darwin") || value.contains("mac")) {
            return "darwin";
        }
        if (value.contains("bsd")) {
            return "bsd";
        }
        if (!value.contains("linux")) {
            note(arch, "guessed: " + at + ".arch '" + scalar(arch) + "' names no system; platform is linux");
        }
        return "linux";
    }

    private void readService(String name, Node keyNode, MappingNode service) {
        Map<String, Object> s = new LinkedHashMap<>();
        Map<String, Node> fields = fields(service);
        String at = "services." + name;
        String type;
        if (fields.containsKey("deployment_type")) {
            type = scalar(fields.get("deployment_type"));
            if (!Set.of("docker", "local", "native").contains(type)) {
                note(fields.get("deployment_type"), "not mapped: " + at + ".deployment_type '" + type
                        + "' (expected docker, local or native)");
            }
        } else {
            type = "docker";
            note(keyNode, "guessed: " + at + " has no deployment_type; type is docker (the Bash tool's default)");
        }
        s.put("type", type);
        String machine = null;
        if (fields.containsKey("current_host")) {
            machine = scalar(fields.get("current_host"));
            if (!machines.containsKey(machine)) {
                note(fields.get("current_host"), "not mapped: " + at + ".current_host '" + machine
                        + "' is not under hosts:");
            }
        } else {
            note(keyNode, "not mapped: " + at + " has no current_host; set its machine");
        }
        s.put("path", path(at, keyNode, fields, type, machine));
        if (machine != null) {
            s.put("machine", machine);
        }
        if (fields.containsKey("docker_compose")) {
            String file = fileName(scalar(fields.get("docker_compose")));
            if (!file.equals("docker-compose.yml")) {
                s.put("compose_file", file);
            }
        }
        if (fields.containsKey("port")) {
            s.put("port", number(fields.get("port")));
        }
        if (fields.containsKey("service_name")) {
            if (type.equals("native")) {
                s.put("service_name", scalar(fields.get("service_name")));
            } else {
                note(fields.get("service_name"), "not mapped: " + at + ".service_name (the Compose service key;"
                        + " Portoser manages the whole Compose project)");
            }
        }
        if (!type.equals("docker")) {
            Node from = fields.getOrDefault("service_file", keyNode);
            note(from, "not mapped: " + at + " start command: it is in the service.yml on the machine, which the"
                    + " import cannot read; set " + at + ".command");
        }
        health(at, fields, machine).ifPresent(h -> s.put("health", h));
        if (fields.containsKey("dependencies")) {
            s.put("depends_on", list(fields.get("dependencies")));
        }
        if (fields.containsKey("description")) {
            s.put("description", scalar(fields.get("description")));
        }
        Set<String> handled = Set.of("deployment_type", "current_host", "docker_compose", "service_file", "port",
                "service_name", "healthcheck_url", "healthcheck_interval", "healthcheck_retries", "dependencies",
                "description", "working_dir", "service_directory");
        for (Map.Entry<String, Node> f : fields.entrySet()) {
            if (SERVICE_UNMAPPED.containsKey(f.getKey())) {
                note(f.getValue(), "not mapped: " + at + "." + f.getKey() + " (" + SERVICE_UNMAPPED.get(f.getKey())
                        + ")");
            } else if (!handled.contains(f.getKey())) {
                note(f.getValue(), "not mapped: " + at + "." + f.getKey() + " (unknown field)");
            }
        }
        services.put(name, s);
    }

    /** The service's directory: the host's base path joined with the directory of its Compose or service file. */
    private String path(String at, Node keyNode, Map<String, Node> fields, String type, String machine) {
        String base = machine == null ? null : basePaths.get(machine);
        Node file = fields.containsKey("docker_compose") ? fields.get("docker_compose") : fields.get("service_file");
        String dir;
        Node from;
        if (file != null) {
            dir = parent(scalar(file));
            from = file;
        } else if (fields.containsKey("service_directory") || fields.containsKey("working_dir")) {
            from = fields.containsKey("service_directory") ? fields.get("service_directory") : fields.get("working_dir");
            dir = scalar(from);
        } else {
            note(keyNode, "not mapped: " + at + " has no docker_compose, service_file or service_directory; set its path");
            return "/";
        }
        if (dir.startsWith("/") && base == null) {
            note(from, "guessed: " + at + " path is " + dir + " (its host has no path: to put it under)");
            return dir;
        }
        String joined = (base == null ? "" : base.replaceAll("/+$", "")) + "/" + dir.replaceAll("^/+", "");
        if (!joined.startsWith("/")) {
            note(from, "guessed: " + at + " path '" + joined + "' is relative; it is made absolute, from /");
            joined = "/" + joined;
        }
        return joined.length() > 1 ? joined.replaceAll("/+$", "") : joined;
    }

    private Optional<Map<String, Object>> health(String at, Map<String, Node> fields, String machine) {
        Node url = fields.get("healthcheck_url");
        if (url == null) {
            for (String key : List.of("healthcheck_interval", "healthcheck_retries")) {
                if (fields.containsKey(key)) {
                    note(fields.get(key), "not mapped: " + at + "." + key + " (there is no healthcheck_url to apply it to)");
                }
            }
            return Optional.empty();
        }
        Map<String, Object> h = new LinkedHashMap<>();
        URI uri;
        try {
            uri = URI.create(scalar(url).strip());
        } catch (IllegalArgumentException e) {
            note(url, "not mapped: " + at + ".healthcheck_url is not a URL");
            return Optional.empty();
        }
        h.put("type", "http");
        h.put("endpoint", uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath()
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
        if (uri.getPort() > 0 && fields.containsKey("port") && !scalar(fields.get("port")).equals(
                String.valueOf(uri.getPort()))) {
            h.put("port", uri.getPort());
        }
        if ("https".equals(uri.getScheme())) {
            note(url, "guessed: " + at + ".healthcheck_url is https; checks here are plain HTTP on the service port");
        }
        if (uri.getHost() != null && machine != null && !uri.getHost().equals(machineHosts.get(machine))
                && !uri.getHost().equals("localhost") && !uri.getHost().equals("127.0.0.1")) {
            note(url, "guessed: " + at + ".healthcheck_url names host " + uri.getHost()
                    + "; the check goes to the service's machine");
        }
        if (fields.containsKey("healthcheck_interval")) {
            h.put("interval", number(fields.get("healthcheck_interval")));
        }
        if (fields.containsKey("healthcheck_retries")) {
            h.put("retries", number(fields.get("healthcheck_retries")));
        }
        return Optional.of(h);
    }

    private String render() {
        StringBuilder out = new StringBuilder("# Imported from the Bash Portoser registry ").append(source)
                .append(" by 'portoser registry import-bash'.\n");
        out.append("machines:\n");
        machines.forEach((name, m) -> entry(out, name, m));
        out.append("services:\n");
        services.forEach((name, s) -> entry(out, name, s));
        return out.toString();
    }

    private static void entry(StringBuilder out, String name, Map<String, Object> fields) {
        out.append("  ").append(quote(name)).append(":\n");
        fields.forEach((key, value) -> value(out, "    ", key, value));
    }

    @SuppressWarnings("unchecked")
    private static void value(StringBuilder out, String indent, String key, Object value) {
        out.append(indent).append(key).append(':');
        if (value instanceof Map<?, ?> map) {
            out.append('\n');
            ((Map<String, Object>) map).forEach((k, v) -> value(out, indent + "  ", k, v));
        } else if (value instanceof List<?> list) {
            out.append(" [");
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : ", ").append(quote(String.valueOf(list.get(i))));
            }
            out.append("]\n");
        } else if (value instanceof Integer) {
            out.append(' ').append(value).append('\n');
        } else {
            out.append(' ').append(quote(String.valueOf(value))).append('\n');
        }
    }

    /** A YAML double-quoted scalar (JSON's string syntax is one): safe for any text. */
    private static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private Object number(Node node) {
        String text = scalar(node).strip();
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return text;  // kept as it is; validation names it if it is not a number
        }
    }

    private List<String> list(Node node) {
        List<String> out = new ArrayList<>();
        if (node instanceof SequenceNode seq) {
            for (Node item : seq.getValue()) {
                out.add(scalar(item));
            }
        } else if (node instanceof ScalarNode s && !s.getValue().isBlank()) {
            out.add(s.getValue());
        }
        return out;
    }

    private Map<String, Node> fields(MappingNode node) {
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : node.getValue()) {
            out.put(scalar(t.getKeyNode()), t.getValueNode());
        }
        return out;
    }

    private MappingNode mapping(Node node, String path) {
        if (node instanceof MappingNode m) {
            return m;
        }
        if (node instanceof ScalarNode s && (s.getValue().isEmpty() || s.getValue().equals("null") || s.getValue().equals("~"))) {
            return new MappingNode(s.getTag(), false, List.<NodeTuple>of(), org.snakeyaml.engine.v2.common.FlowStyle.AUTO,
                    s.getStartMark(), s.getEndMark());
        }
        throw new FailedException(where(node) + ": " + path + " should be a mapping");
    }

    private String scalar(Node node) {
        if (node instanceof ScalarNode s) {
            return s.getValue();
        }
        throw new FailedException(where(node) + ": expected a single value here");
    }

    private static String parent(String file) {
        int slash = file.lastIndexOf('/');
        return slash <= 0 ? (file.startsWith("/") ? "/" : "") : file.substring(0, slash);
    }

    private static String fileName(String file) {
        return file.substring(file.lastIndexOf('/') + 1);
    }

    private void note(Node node, String text) {
        int line = node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
        int column = node.getStartMark().map(m -> m.getColumn() + 1).orElse(0);
        notes.add(new Note(line, column, text));
    }

    private String where(Node node) {
        return source + ":" + node.getStartMark().map(m -> (m.getLine() + 1) + ":" + (m.getColumn() + 1)).orElse("");
    }
}

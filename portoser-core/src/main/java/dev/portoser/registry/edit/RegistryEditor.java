package dev.portoser.registry.edit;

import dev.portoser.registry.Registry;
import dev.portoser.registry.RegistryException;
import dev.portoser.registry.RegistryLoader;
import dev.portoser.registry.internal.RegistryKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Edits a {@code registry.yml} and keeps every byte it does not have to change.
 *
 * <pre>{@code
 * RegistryEditor editor = RegistryEditor.open(Path.of("registry.yml"));
 * editor.addMachine("mini1", Map.of("host", "192.168.0.96", "user", "ubuntu", "platform", "linux"));
 * editor.updateService("web-app", Map.of("port", 9000));
 * System.out.print(editor.diff());          // what would change, as a unified diff
 * editor.save();                            // atomic, with registry.yml.bak
 * }</pre>
 *
 * <p><b>Fidelity.</b> An edit replaces only the characters of the nodes it changes, found through the parser's
 * marks; comments, blank lines, key order, quoting, flow or block style, CRLF line ends, a byte order mark,
 * anchors and merge keys elsewhere are untouched. New entries follow the indentation and style of their
 * neighbours. An edit that would go through an alias ({@code *name}) or change an anchor that aliases share is
 * refused with the places it would affect; a merge key ({@code <<}) is never expanded.
 *
 * <p><b>Checks.</b> Each edit is applied to the text, the text is parsed again and compared with what was asked
 * (the edited path changed, nothing else), and the whole registry is validated with the loader; an edit that
 * fails any of these throws ({@link RegistryException} with located problems, or {@link RegistryEditException})
 * and leaves this editor as it was. Removing a machine that services use, or a service that others depend on,
 * is refused unless forced.
 *
 * <p><b>Saving.</b> {@link #save()} takes a lock on {@code .registry.yml.lock} next to the file (exclusive across
 * processes and threads), refuses with {@link RegistryConflictException} when the file changed since it was
 * read, keeps the previous version as {@code registry.yml.bak} (the last three by default), and writes through a
 * temp file, fsync and rename, keeping the file's mode and owner. A symbolic link is followed and its target
 * written. Instances are not thread-safe; use one per edit session.
 */
public final class RegistryEditor {
    /** How many previous versions are kept by default ({@code .bak}, {@code .bak.1}, {@code .bak.2}). */
    public static final int DEFAULT_BACKUPS = 3;
    /** How long {@link #save()} waits for another editor's lock by default. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(10);
    /** The order in which a new service's fields are written: what it is and where first, details last. */
    private static final List<String> SERVICE_ORDER = List.of("type", "path", "machine", "command", "compose_file",
            "env_file", "service_name", "port", "ports", "port_mapping", "depends_on", "group", "tags", "env",
            "vault_secrets", "health", "resources", "log_file", "description");
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final Path file;
    private final RegistryLoader loader;
    private final int backups;
    private final Duration lockTimeout;
    private final boolean bom;
    private byte[] onDisk;
    private String original;
    private String text;
    private final List<String> notices = new ArrayList<>();

    private RegistryEditor(Builder b, Path file, byte[] bytes) {
        this.file = file;
        this.loader = b.loader;
        this.backups = b.backups;
        this.lockTimeout = b.lockTimeout;
        this.onDisk = bytes;
        this.bom = bytes.length >= 3 && bytes[0] == BOM[0] && bytes[1] == BOM[1] && bytes[2] == BOM[2];
        this.original = decode(bytes, file);
        this.text = original;
    }

    /**
     * Opens a registry file for editing with the defaults: the default loader, three backups, a 10 s lock wait.
     *
     * @param file the registry file; must exist
     * @return the editor
     * @throws RegistryException when the file cannot be read or is not valid YAML
     */
    public static RegistryEditor open(Path file) {
        return builder().open(file);
    }

    /**
     * A builder for an editor with options.
     *
     * @return a builder for an editor with options
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The file being edited, as given.
     *
     * @return the file being edited, as given
     */
    public Path file() {
        return file;
    }

    /**
     * The text as edited so far (without a byte order mark).
     *
     * @return the text as edited so far (without a byte order mark)
     */
    public String text() {
        return text;
    }

    /**
     * Whether any edit changed the text since it was read or last saved.
     *
     * @return whether any edit changed the text since it was read or last saved
     */
    public boolean changed() {
        return !text.equals(original);
    }

    /**
     * What the edits so far did besides what was asked (services removed with a forced machine removal...).
     *
     * @return what the edits so far did besides what was asked (services removed with a forced machine removal...)
     */
    public List<String> notices() {
        return List.copyOf(notices);
    }

    /**
     * The registry as edited so far.
     *
     * @throws RegistryException when the registry is invalid (only possible before the first edit)
     * @return the registry as edited so far
     */
    public Registry registry() {
        return loader.parse(text, file.toString());
    }

    /**
     * The unified diff from the file as read (or last saved) to the text as edited; empty when unchanged.
     *
     * @return the unified diff from the file as read (or last saved) to the text as edited; empty when unchanged
     */
    public String diff() {
        String name = file.toString();
        return UnifiedDiff.of(name, name + " (edited)", original, text);
    }

    // ---- machines ----------------------------------------------------------------------------------------

    /**
     * Adds a machine.
     *
     * @param name its name, the key under {@code machines:}
     * @param fields its fields by YAML key ({@code host}, {@code user}, {@code platform}, {@code tags}...)
     * @return this editor
     * @throws RegistryEditException when a machine of that name exists
     * @throws RegistryException when the registry would be invalid
     */
    public RegistryEditor addMachine(String name, Map<String, ?> fields) {
        Objects.requireNonNull(name, "name == null");
        if (section("machines").containsKey(name)) {
            throw new RegistryEditException("machine '" + name + "' already exists; use update to change it");
        }
        return apply(List.of(Op.put(List.of("machines", name), ordered(copy(fields), RegistryKeys.MACHINE))));
    }

    /**
     * Sets fields of a machine; a null value removes the field.
     *
     * @param name the machine
     * @param fields the fields to set by YAML key
     * @return this editor
     * @throws RegistryEditException when there is no such machine
     * @throws RegistryException when the registry would be invalid
     */
    public RegistryEditor updateMachine(String name, Map<String, ?> fields) {
        requireMachine(name);
        return apply(fieldOps(List.of("machines", name), fields));
    }

    /**
     * Removes a machine. Refused while services run on it, unless forced: then those services are removed too
     * (and dropped from the {@code depends_on} of others), which {@link #notices()} reports.
     *
     * @param name the machine
     * @param force whether to remove the services on it as well
     * @return this editor
     * @throws RegistryEditException when there is no such machine, or services use it and force is false
     */
    public RegistryEditor removeMachine(String name, boolean force) {
        requireMachine(name);
        List<String> users = new ArrayList<>();
        section("services").forEach((service, value) -> {
            if (value instanceof Map<?, ?> m && name.equals(m.get("machine"))) {
                users.add(service);
            }
        });
        if (!users.isEmpty() && !force) {
            throw new RegistryEditException("machine '" + name + "' is used by " + plural(users.size(), "service")
                    + " " + String.join(", ", users) + "; move or remove them first, or force the removal to remove "
                    + "them too");
        }
        List<Op> ops = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        for (String service : users) {
            ops.addAll(removeServiceOps(service, users, messages));
            messages.add("removed service '" + service + "', which ran on machine '" + name + "'");
        }
        ops.add(Op.remove(List.of("machines", name)));
        apply(ops);
        notices.addAll(messages);
        return this;
    }

    // ---- services ----------------------------------------------------------------------------------------

    /**
     * Adds a service.
     *
     * @param name its name, the key under {@code services:}
     * @param fields its fields by YAML key ({@code type}, {@code path}, {@code machine}, {@code port}...)
     * @return this editor
     * @throws RegistryEditException when a service of that name exists
     * @throws RegistryException when the registry would be invalid (an unknown machine, a port clash...)
     */
    public RegistryEditor addService(String name, Map<String, ?> fields) {
        Objects.requireNonNull(name, "name == null");
        if (section("services").containsKey(name)) {
            throw new RegistryEditException("service '" + name + "' already exists; use update to change it");
        }
        return apply(List.of(Op.put(List.of("services", name), ordered(copy(fields), SERVICE_ORDER))));
    }

    /**
     * Sets fields of a service; a null value removes the field. A map value ({@code env}, {@code health}) is
     * merged into the existing one key by key.
     *
     * @param name the service
     * @param fields the fields to set by YAML key
     * @return this editor
     * @throws RegistryEditException when there is no such service
     * @throws RegistryException when the registry would be invalid
     */
    public RegistryEditor updateService(String name, Map<String, ?> fields) {
        requireService(name);
        return apply(fieldOps(List.of("services", name), fields));
    }

    /**
     * Removes a service. Refused while other services depend on it, unless forced: then it is dropped from their
     * {@code depends_on}. It is always dropped from the lists under {@code groups:}.
     *
     * @param name the service
     * @param force whether to remove it although others depend on it
     * @return this editor
     * @throws RegistryEditException when there is no such service, or others depend on it and force is false
     */
    public RegistryEditor removeService(String name, boolean force) {
        requireService(name);
        List<String> dependents = dependentsOf(name, List.of());
        if (!dependents.isEmpty() && !force) {
            throw new RegistryEditException("service '" + name + "' is a dependency of " + String.join(", ",
                    dependents) + "; remove it from their depends_on first, or force the removal");
        }
        List<String> messages = new ArrayList<>();
        List<Op> ops = removeServiceOps(name, List.of(name), messages);
        apply(ops);
        notices.addAll(messages);
        return this;
    }

    /**
     * Moves a service to another machine (only the registry; {@code Planner.move} plans the migration).
     *
     * @param name the service
     * @param machine the machine to move it to
     * @return this editor
     * @throws RegistryEditException when a name is unknown or the service already runs there
     * @throws RegistryException when the registry would be invalid (a port already used there, say)
     */
    public RegistryEditor moveService(String name, String machine) {
        Map<?, ?> service = requireService(name);
        requireMachine(machine);
        if (machine.equals(service.get("machine"))) {
            throw new RegistryEditException("service '" + name + "' already runs on machine '" + machine + "'");
        }
        return apply(List.of(Op.put(List.of("services", name, "machine"), machine)));
    }

    /**
     * Adds a dependency: {@code service} then waits for {@code dependency}. Nothing changes when it is there.
     *
     * @return this editor
     * @throws RegistryEditException when a service is unknown
     * @throws RegistryException when the registry would be invalid (a dependency cycle)
     * @param service the service
     * @param dependency the dependency
     */
    public RegistryEditor addDependency(String service, String dependency) {
        List<String> deps = dependsOn(requireService(service));
        requireService(dependency);
        if (deps.contains(dependency)) {
            return this;
        }
        List<String> updated = new ArrayList<>(deps);
        updated.add(dependency);
        return apply(List.of(Op.put(List.of("services", service, "depends_on"), updated)));
    }

    /**
     * Removes a dependency; nothing changes when it is not there.
     *
     * @return this editor
     * @throws RegistryEditException when the service is unknown
     * @param service the service
     * @param dependency the dependency
     */
    public RegistryEditor removeDependency(String service, String dependency) {
        List<String> deps = dependsOn(requireService(service));
        if (!deps.contains(dependency)) {
            return this;
        }
        List<String> updated = new ArrayList<>(deps);
        updated.remove(dependency);
        return apply(List.of(updated.isEmpty() ? Op.remove(List.of("services", service, "depends_on"))
                : Op.put(List.of("services", service, "depends_on"), updated)));
    }

    /**
     * Sets the group a service declares itself part of ({@code group:}), or clears it with null.
     *
     * @return this editor
     * @throws RegistryEditException when the service is unknown
     * @param service the service
     * @param group the group
     */
    public RegistryEditor setGroup(String service, @Nullable String group) {
        requireService(service);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("group", group);
        return apply(fieldOps(List.of("services", service), fields));
    }

    // ---- any field ---------------------------------------------------------------------------------------

    /**
     * Sets any value by its path of YAML keys, creating missing mappings: {@code set(List.of("services", "web",
     * "health", "port"), 8080)}. A null value removes the entry.
     *
     * @param path the keys from the top; at least one
     * @param value a String, Number, Boolean, List or Map of those, or null
     * @return this editor
     * @throws RegistryException when the registry would be invalid
     */
    public RegistryEditor set(List<String> path, @Nullable Object value) {
        if (path.isEmpty()) {
            throw new IllegalArgumentException("the path needs at least one key");
        }
        return apply(List.of(value == null ? Op.remove(List.copyOf(path)) : Op.put(List.copyOf(path), copyValue(value))));
    }

    // ---- saving ------------------------------------------------------------------------------------------

    /**
     * Writes the edited registry: under the lock, only when the file is unchanged since it was read, after
     * rotating the backups, atomically. Nothing happens when there is nothing to save.
     *
     * @return what was written
     * @throws RegistryConflictException when the file changed on disk since it was read, or the lock stayed busy
     * @throws UncheckedIOException when the file cannot be written; it is then unchanged
     */
    public SaveResult save() {
        byte[] bytes = encode(text);
        Path target;
        try {
            target = file.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find " + file + ": " + e.getMessage(), e);
        }
        if (!changed()) {
            return new SaveResult(target, false, null, RegistryFiles.sha256(onDisk));
        }
        try (RegistryFiles.Held lock = RegistryFiles.lock(target, lockTimeout)) {
            byte[] now = Files.readAllBytes(target);
            if (!java.util.Arrays.equals(now, onDisk)) {
                throw new RegistryConflictException(file + " changed on disk since it was read (another editor "
                        + "saved it); nothing was written; open it again and redo the edit");
            }
            RegistryFiles.removeStaleTemps(target);
            Path backup = RegistryFiles.backup(target, now, backups);
            RegistryFiles.write(target, bytes, target);
            onDisk = bytes;
            original = text;
            return new SaveResult(target, true, backup, RegistryFiles.sha256(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage() + "; it is unchanged", e);
        }
    }

    // ---- internals ---------------------------------------------------------------------------------------

    /** One change at a path: a value to put, or a removal. */
    private record Op(List<String> path, @Nullable Object value) {
        static Op put(List<String> path, Object value) {
            return new Op(path, value);
        }

        static Op remove(List<String> path) {
            return new Op(path, null);
        }
    }

    private RegistryEditor apply(List<Op> ops) {
        String edited = text;
        Object expected = SpanTree.plain(SpanTree.of(text).root);
        for (Op op : ops) {
            edited = op.value() == null ? YamlSplicer.remove(edited, op.path())
                    : YamlSplicer.put(edited, op.path(), op.value());
            expected = op.value() == null ? PlainValues.remove(expected, op.path())
                    : PlainValues.put(expected, op.path(), YamlSplicer.plainOf(op.value()));
        }
        Object actual;
        try {
            actual = SpanTree.plain(SpanTree.of(edited).root);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the edited registry is no longer YAML (" + e.getMessage()
                    + "); nothing was changed; please report this", e);
        }
        String difference = PlainValues.firstDifference(expected, actual, "");
        if (difference != null) {
            throw new RegistryEditException("the edit would also change '" + difference + "' (through a merge key "
                    + "or an anchor); nothing was changed; edit the shared settings in the file directly");
        }
        loader.parse(edited, file.toString());
        text = edited;
        return this;
    }

    private List<Op> fieldOps(List<String> base, Map<String, ?> fields) {
        List<Op> ops = new ArrayList<>();
        fields.forEach((key, value) -> {
            List<String> path = new ArrayList<>(base);
            path.add(key);
            ops.add(value == null ? Op.remove(path) : Op.put(path, copyValue(value)));
        });
        return ops;
    }

    private List<Op> removeServiceOps(String name, List<String> alsoRemoved, List<String> messages) {
        List<Op> ops = new ArrayList<>();
        for (String dependent : dependentsOf(name, alsoRemoved)) {
            List<String> deps = new ArrayList<>(dependsOn(section("services").get(dependent)));
            deps.remove(name);
            ops.add(deps.isEmpty() ? Op.remove(List.of("services", dependent, "depends_on"))
                    : Op.put(List.of("services", dependent, "depends_on"), deps));
            messages.add("removed '" + name + "' from the depends_on of service '" + dependent + "'");
        }
        section("groups").forEach((group, members) -> {
            if (members instanceof List<?> list && list.contains(name)) {
                List<Object> kept = new ArrayList<>(list);
                kept.removeIf(name::equals);
                ops.add(Op.put(List.of("groups", group), kept));
                messages.add("removed '" + name + "' from group '" + group + "'");
            }
        });
        ops.add(Op.remove(List.of("services", name)));
        return ops;
    }

    private List<String> dependentsOf(String name, List<String> ignoring) {
        List<String> dependents = new ArrayList<>();
        section("services").forEach((service, value) -> {
            if (!ignoring.contains(service) && value instanceof Map<?, ?> m && dependsOn(m).contains(name)) {
                dependents.add(service);
            }
        });
        return dependents;
    }

    private static List<String> dependsOn(@Nullable Object service) {
        if (service instanceof Map<?, ?> m && m.get("depends_on") instanceof List<?> list) {
            List<String> names = new ArrayList<>();
            list.forEach(i -> names.add(String.valueOf(i)));
            return names;
        }
        return List.of();
    }

    private Map<?, ?> requireMachine(String name) {
        Objects.requireNonNull(name, "name == null");
        Object machine = section("machines").get(name);
        if (machine == null) {
            throw new RegistryEditException("unknown machine '" + name + "'; machines are: "
                    + names(section("machines")));
        }
        return machine instanceof Map<?, ?> m ? m : Map.of();
    }

    private Map<?, ?> requireService(String name) {
        Objects.requireNonNull(name, "name == null");
        Object service = section("services").get(name);
        if (service == null) {
            throw new RegistryEditException("unknown service '" + name + "'; services are: "
                    + names(section("services")));
        }
        return service instanceof Map<?, ?> m ? m : Map.of();
    }

    private static String names(Map<String, Object> section) {
        return section.isEmpty() ? "(none)" : String.join(", ", section.keySet());
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> section(String key) {
        Object root = SpanTree.plain(SpanTree.of(text).root);
        if (root instanceof Map<?, ?> map && map.get(key) instanceof Map<?, ?> section) {
            return (Map<String, Object>) section;
        }
        return Map.of();
    }

    private static String plural(int n, String word) {
        return n == 1 ? word : word + "s";
    }

    /** The fields in the order the docs list them (unknown keys last, as given), so any map reads well. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> ordered(Map<String, Object> fields, List<String> order) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String key : order) {
            if (fields.containsKey(key)) {
                Object value = fields.get(key);
                out.put(key, key.equals("health") && value instanceof Map<?, ?> m
                        ? ordered((Map<String, Object>) m, RegistryKeys.HEALTH) : value);
            }
        }
        fields.forEach(out::putIfAbsent);
        return out;
    }

    private static Map<String, Object> copy(Map<String, ?> fields) {
        Map<String, Object> out = new LinkedHashMap<>();
        fields.forEach((k, v) -> {
            if (v != null) {
                out.put(Objects.requireNonNull(k, "a field name is null"), copyValue(v));
            }
        });
        return out;
    }

    private static Object copyValue(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), copyValue(Objects.requireNonNull(v,
                    "a null value inside a map"))));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(copyValue(Objects.requireNonNull(v, "a null value inside a list"))));
            return out;
        }
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        throw new IllegalArgumentException("expected a String, Number, Boolean, List or Map, found "
                + value.getClass().getSimpleName());
    }

    private byte[] encode(String s) {
        byte[] body = s.getBytes(StandardCharsets.UTF_8);
        if (!bom) {
            return body;
        }
        byte[] out = new byte[body.length + 3];
        System.arraycopy(BOM, 0, out, 0, 3);
        System.arraycopy(body, 0, out, 3, body.length);
        return out;
    }

    private String decode(byte[] bytes, Path source) {
        int start = bom ? 3 : 0;
        String decoded = new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8);
        if (!java.util.Arrays.equals(encode(decoded), bytes)) {
            // Let the loader say exactly where the text is not UTF-8.
            loader.parse(decoded, source.toString());
            throw new RegistryException(List.of(new dev.portoser.registry.Problem(
                    dev.portoser.registry.Severity.ERROR, source.toString(), 0, 0, "",
                    "expected UTF-8 text; save the registry as UTF-8")));
        }
        try {
            SpanTree.of(decoded);
        } catch (RuntimeException e) {
            loader.parse(decoded, source.toString()); // reports the syntax error with its position
            throw e;
        }
        return decoded;
    }

    /** Options for a {@link RegistryEditor}. Not thread-safe. */
    public static final class Builder {
        private RegistryLoader loader = RegistryLoader.builder().build();
        private int backups = DEFAULT_BACKUPS;
        private Duration lockTimeout = DEFAULT_LOCK_TIMEOUT;

        private Builder() {
        }

        /**
         * The loader that validates each edit (its template variables and limits apply).
         *
         * @param loader must not be null
         * @return this builder
         */
        public Builder loader(RegistryLoader loader) {
            this.loader = Objects.requireNonNull(loader, "loader == null");
            return this;
        }

        /**
         * How many previous versions to keep ({@code registry.yml.bak}, {@code .bak.1}...); 0 keeps none.
         *
         * @param count from 0 to 100
         * @return this builder
         */
        public Builder backups(int count) {
            if (count < 0 || count > 100) {
                throw new IllegalArgumentException("backups must be from 0 to 100, was " + count);
            }
            this.backups = count;
            return this;
        }

        /**
         * How long {@link RegistryEditor#save()} waits for another editor's lock.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder lockTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("lockTimeout must be positive, was " + timeout);
            }
            this.lockTimeout = timeout;
            return this;
        }

        /**
         * Reads the file and opens the editor.
         *
         * @param file the registry file; must exist
         * @return the editor
         * @throws RegistryException when the file cannot be read or is not valid YAML
         */
        public RegistryEditor open(Path file) {
            Objects.requireNonNull(file, "file == null");
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw new RegistryException(List.of(new dev.portoser.registry.Problem(
                        dev.portoser.registry.Severity.ERROR, file.toString(), 0, 0, "", "no such file")));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
            return new RegistryEditor(this, file, bytes);
        }
    }
}

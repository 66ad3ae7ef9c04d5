package dev.portoser.registry;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A loaded and fully validated registry: the machines, the services that run on them, and the groups.
 *
 * <pre>{@code
 * Registry registry = Registry.load(Path.of("registry.yml"));
 * Service web = registry.service("web-app").orElseThrow();
 * registry.warnings().forEach(System.err::println);
 * }</pre>
 *
 * <p>Every reference in a registry resolves: each service's machine exists, each dependency is a service, there
 * is no dependency cycle, and no two services on one machine bind the same port. Instances are immutable and
 * thread-safe; maps iterate in file order.
 */
public final class Registry {
    private final String source;
    private final Map<String, Machine> machines;
    private final Map<String, Service> services;
    private final Map<String, Group> groups;
    private final List<Problem> warnings;

    Registry(String source, Map<String, Machine> machines, Map<String, Service> services, Map<String, Group> groups,
             List<Problem> warnings) {
        this.source = Objects.requireNonNull(source, "source == null");
        this.machines = Collections.unmodifiableMap(new LinkedHashMap<>(machines));
        this.services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
        this.groups = Collections.unmodifiableMap(new LinkedHashMap<>(groups));
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Loads and validates a registry file with the default options (no template variables).
     *
     * @param file the {@code registry.yml}; must not be null
     * @return the registry
     * @throws RegistryException when the file cannot be read or holds any error; it lists every problem
     */
    public static Registry load(Path file) {
        return RegistryLoader.builder().build().load(file);
    }

    /**
     * Parses and validates registry text with the default options; problems name the source {@code <string>}.
     *
     * @param yaml the registry as YAML text; must not be null
     * @return the registry
     * @throws RegistryException when the text holds any error; it lists every problem
     */
    public static Registry parse(String yaml) {
        return RegistryLoader.builder().build().parse(yaml, RegistryLoader.STRING_SOURCE);
    }

    /**
     * A builder for a loader with options: template variables and limits.
     *
     * @return a builder for a loader with options: template variables and limits
     */
    public static RegistryLoader.Builder loader() {
        return RegistryLoader.builder();
    }

    /**
     * Where the registry came from: the file path as given, or {@code <string>}.
     *
     * @return where the registry came from: the file path as given, or {@code <string>}
     */
    public String source() {
        return source;
    }

    /**
     * The machines by name, in file order.
     *
     * @return the machines by name, in file order
     */
    public Map<String, Machine> machines() {
        return machines;
    }

    /**
     * The services by name, in file order.
     *
     * @return the services by name, in file order
     */
    public Map<String, Service> services() {
        return services;
    }

    /**
     * The groups by name, in file order, each with its full membership.
     *
     * @return the groups by name, in file order, each with its full membership
     */
    public Map<String, Group> groups() {
        return groups;
    }

    /**
     * The warnings found while loading (a secret stored inline, say); loading succeeded despite them.
     *
     * @return the warnings found while loading (a secret stored inline, say); loading succeeded despite them
     */
    public List<Problem> warnings() {
        return warnings;
    }

    /**
     * The machine with this name.
     *
     * @param name the machine's name; must not be null
     * @return the machine, or empty when there is none
     */
    public Optional<Machine> machine(String name) {
        return Optional.ofNullable(machines.get(Objects.requireNonNull(name, "name == null")));
    }

    /**
     * The service with this name.
     *
     * @param name the service's name; must not be null
     * @return the service, or empty when there is none
     */
    public Optional<Service> service(String name) {
        return Optional.ofNullable(services.get(Objects.requireNonNull(name, "name == null")));
    }

    /**
     * The group with this name.
     *
     * @param name the group's name; must not be null
     * @return the group, or empty when there is none
     */
    public Optional<Group> group(String name) {
        return Optional.ofNullable(groups.get(Objects.requireNonNull(name, "name == null")));
    }

    /**
     * The services that run on a machine, in file order.
     *
     * @param machine the machine's name; must not be null
     * @return the services, empty when the machine runs none or does not exist
     */
    public List<Service> servicesOn(String machine) {
        Objects.requireNonNull(machine, "machine == null");
        return services.values().stream().filter(s -> machine.equals(s.machine())).toList();
    }

    @Override
    public String toString() {
        return "Registry[" + source + ": " + machines.size() + " machines, " + services.size() + " services, "
                + groups.size() + " groups]";
    }
}

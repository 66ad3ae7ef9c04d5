package dev.portoser.registry;

import dev.portoser.registry.internal.Patterns;
import dev.portoser.registry.internal.SafePath;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A service: what to run, where, how to tell it is healthy, and what it needs first.
 *
 * <p>A record on its own is not validated; {@link Registry} checks every field and reference when it is loaded
 * or built. {@link #toString()} shows the names of {@code env} entries but never their values.
 * Instances are immutable and thread-safe.
 *
 * @param name the key under {@code services:}
 * @param type how it runs ({@code type})
 * @param path its directory on the machine ({@code path}), absolute
 * @param machine the machine it runs on ({@code machine})
 * @param port its primary port ({@code port}), or null when it has none or asks for {@code auto}
 * @param autoPort whether {@code port: auto} asks Portoser to choose a free port
 * @param ports further ports it listens on ({@code ports})
 * @param portMapping the published port of a Docker service ({@code port_mapping}), or null
 * @param health how to check it ({@code health}), or null for no check
 * @param dependsOn the services that must be healthy before it starts ({@code depends_on}), in file order
 * @param env inline environment ({@code env}), in file order
 * @param envFile an environment file, relative to {@code path} or absolute ({@code env_file}), or null
 * @param vaultSecrets Vault secrets injected as environment ({@code vault_secrets})
 * @param resources Docker resource limits ({@code resources}), or null
 * @param tags tags for organisation
 * @param group the group it declares itself part of ({@code group}), or null
 * @param composeFile the Compose file of a Docker service ({@code compose_file}); {@code docker-compose.yml} by
 *     default for Docker services, null for others unless given
 * @param command what to run for local and native services ({@code command}), or null
 * @param logFile where its output goes ({@code log_file}), or null for Portoser's own log
 * @param serviceName the service manager's name for a native service ({@code service_name}), or null for its name
 * @param description free text, or null
 */
public record Service(
        @NotNull(message = "missing required field") @Pattern(regexp = Patterns.NAME, message = Patterns.NAME_MESSAGE)
        String name,
        @NotNull(message = "missing required field (one of docker, local, native)")
        ServiceType type,
        @NotNull(message = "missing required field (the service's directory on the machine)")
        @SafePath(SafePath.Kind.ABSOLUTE)
        String path,
        @NotNull(message = "missing required field (the machine it runs on)")
        String machine,
        @Nullable @Min(value = 1, message = "expected a port number from 1 to 65535 or 'auto'")
        @Max(value = 65535, message = "expected a port number from 1 to 65535 or 'auto'")
        Integer port,
        boolean autoPort,
        List<@NotNull @Min(value = 1, message = "expected a port number from 1 to 65535")
                @Max(value = 65535, message = "expected a port number from 1 to 65535") Integer> ports,
        @Nullable @Valid
        PortMapping portMapping,
        @Nullable @Valid
        HealthSpec health,
        List<@NotNull String> dependsOn,
        Map<@NotNull @Pattern(regexp = Patterns.ENV_KEY, message = Patterns.ENV_KEY_MESSAGE) String, @NotNull String> env,
        @Nullable @SafePath(SafePath.Kind.ABSOLUTE_OR_INSIDE)
        String envFile,
        List<@NotNull @Valid SecretRef> vaultSecrets,
        @Nullable @Valid
        Resources resources,
        List<@NotNull @Pattern(regexp = Patterns.TAG, message = Patterns.TAG_MESSAGE) String> tags,
        @Nullable
        String group,
        @Nullable @SafePath(SafePath.Kind.ABSOLUTE_OR_INSIDE)
        String composeFile,
        @Nullable
        String command,
        @Nullable @SafePath(SafePath.Kind.ABSOLUTE_OR_INSIDE)
        String logFile,
        @Nullable @Pattern(regexp = Patterns.UNIT_NAME, message = Patterns.UNIT_NAME_MESSAGE)
        String serviceName,
        @Nullable
        String description) {

    /** The Compose file of a Docker service when none is given. */
    public static final String DEFAULT_COMPOSE_FILE = "docker-compose.yml";

    /**
     * Copies the collections (keeping file order) and fills the Compose file default for Docker services.
     *
     * @param ports the ports
     * @param dependsOn the services it depends on
     * @param env the environment variables
     * @param vaultSecrets the vault secrets
     * @param tags the tags
     * @param composeFile the compose file
     * @param type the type
     * @param autoPort the auto port
     * @param command the command
     * @param description the description
     * @param envFile the env file
     * @param group the group
     * @param health the health
     * @param logFile the log file
     * @param machine the machine
     * @param name the name
     * @param path the path
     * @param port the port
     * @param portMapping the port mapping
     * @param resources the resources
     * @param serviceName the service name
     */
    public Service {
        ports = List.copyOf(Objects.requireNonNullElse(ports, List.of()));
        dependsOn = List.copyOf(Objects.requireNonNullElse(dependsOn, List.of()));
        env = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNullElse(env, Map.of())));
        vaultSecrets = List.copyOf(Objects.requireNonNullElse(vaultSecrets, List.of()));
        tags = List.copyOf(Objects.requireNonNullElse(tags, List.of()));
        if (composeFile == null && type == ServiceType.DOCKER) {
            composeFile = DEFAULT_COMPOSE_FILE;
        }
    }

    /**
     * The health check, if the service has one.
     *
     * @return the health check, if the service has one
     */
    public Optional<HealthSpec> healthSpec() {
        return Optional.ofNullable(health);
    }

    /**
     * Every port this service binds on its machine: {@code port}, {@code ports} and {@code port_mapping.host},
     * without repeats, in that order. A port still to be chosen ({@code auto}) is not included.
     *
     * @return every port this service binds on its machine: {@code port}, {@code ports} and {@code port_mapping.host}, without repeats, in that order
     */
    public List<Integer> boundPorts() {
        java.util.LinkedHashSet<Integer> all = new java.util.LinkedHashSet<>();
        if (port != null) {
            all.add(port);
        }
        all.addAll(ports);
        if (portMapping != null && portMapping.host() != null) {
            all.add(portMapping.host());
        }
        return List.copyOf(all);
    }

    /**
     * This service on another machine (for a move); every other field stays.
     *
     * @param target the machine's name; must not be null
     * @return the moved copy
     */
    public Service withMachine(String target) {
        return new Service(name, type, path, java.util.Objects.requireNonNull(target, "target == null"), port, autoPort,
                ports, portMapping, health, dependsOn, env, envFile, vaultSecrets, resources, tags, group, composeFile,
                command, logFile, serviceName, description);
    }

    /**
     * The name the service manager knows a native service by: {@code service_name}, or else its name.
     *
     * @return the name the service manager knows a native service by: {@code service_name}, or else its name
     */
    public String unitName() {
        return serviceName != null ? serviceName : name;
    }

    /** Shows the fields, with the names of {@code env} entries but never their values. */
    @Override
    public String toString() {
        return "Service[name=" + name + ", type=" + type + ", machine=" + machine + ", path=" + path
                + ", port=" + (autoPort ? "auto" : port) + ", ports=" + ports + ", portMapping=" + portMapping
                + ", health=" + health + ", dependsOn=" + dependsOn + ", env=" + env.keySet()
                + ", envFile=" + envFile + ", vaultSecrets=" + vaultSecrets + ", resources=" + resources
                + ", tags=" + tags + ", group=" + group + ", composeFile=" + composeFile + ", command=" + command
                + ", logFile=" + logFile + ", serviceName=" + serviceName + ", description=" + description + "]";
    }
}

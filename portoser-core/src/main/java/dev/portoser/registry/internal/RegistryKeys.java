package dev.portoser.registry.internal;

import java.util.List;

/**
 * The keys each part of {@code registry.yml} accepts, in the order the docs list them. The JSON Schema shipped
 * for editors must name exactly these (a test holds them together).
 */
public final class RegistryKeys {
    private RegistryKeys() {
    }

    /**
     * Keys starting with this are extension fields, allowed and ignored at the top level and inside machines and
     * services (the Docker Compose convention), so that YAML anchors can hold shared settings:
     * {@code x-health: &health {type: http}} then {@code health: *health}.
     */
    public static final String EXTENSION_PREFIX = "x-";

    /** Top level. */
    public static final List<String> ROOT = List.of("machines", "services", "groups");
    /** A machine. */
    public static final List<String> MACHINE = List.of("host", "user", "platform", "port", "ssh_port", "ssh_key",
            "vault_role", "vault_role_id", "vault_secret_id", "description", "tags");
    /** A service. */
    public static final List<String> SERVICE = List.of("type", "path", "machine", "port", "ports", "port_mapping",
            "health", "depends_on", "env", "env_file", "vault_secrets", "resources", "tags", "group", "compose_file",
            "command", "log_file", "service_name", "description");
    /** A service's {@code health}. */
    public static final List<String> HEALTH = List.of("type", "endpoint", "port", "interval", "timeout", "retries",
            "expected_status", "pid_file", "via");
    /** A service's {@code port_mapping}. */
    public static final List<String> PORT_MAPPING = List.of("host", "container");
    /** An entry of a service's {@code vault_secrets}. */
    public static final List<String> SECRET_REF = List.of("path", "keys");
    /** A service's {@code resources}. */
    public static final List<String> RESOURCES = List.of("memory", "cpus", "disk");
}

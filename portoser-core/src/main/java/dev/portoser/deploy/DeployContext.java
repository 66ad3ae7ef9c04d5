package dev.portoser.deploy;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Service;
import dev.portoser.secret.Secret;
import dev.portoser.transport.Transport;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything a deployer needs for one action on one service.
 *
 * @param service the service, as it should run
 * @param machine the machine it runs on
 * @param transport a transport to that machine
 * @param port the port it should listen on (its own, or the one chosen for {@code port: auto}), or null
 * @param secrets the service's resolved secrets by environment variable name (empty when it has none, and for
 *     actions that need none: stop, status, logs)
 * @param timeout how long each command may take
 * @param digest how configuration digests are made (keyed, so a digest on the machine reveals no secret)
 */
public record DeployContext(Service service, Machine machine, Transport transport, @Nullable Integer port,
                            Map<String, Secret> secrets, Duration timeout, ConfigDigest digest) {

    /**
     * Checks the components and copies the secrets (keeping their order).
     *
     * @param service the service
     * @param machine the machine
     * @param transport the transport
     * @param timeout the timeout
     * @param digest the digest
     * @param secrets the secrets
     * @param port the port
     */
    public DeployContext {
        Objects.requireNonNull(service, "service == null");
        Objects.requireNonNull(machine, "machine == null");
        Objects.requireNonNull(transport, "transport == null");
        Objects.requireNonNull(timeout, "timeout == null");
        Objects.requireNonNull(digest, "digest == null");
        secrets = Collections.unmodifiableMap(new LinkedHashMap<>(secrets));
    }

    /**
     * A context with digests under this JVM's key ({@link ConfigDigest#perProcess()}): fine for status, stop and
     * logs, which compare no digests, and for deploys from one process.
     *
     * @param service the service
     * @param machine its machine
     * @param transport a transport to it
     * @param port its port, or null
     * @param secrets its secrets
     * @param timeout how long each command may take
     */
    public DeployContext(Service service, Machine machine, Transport transport, @Nullable Integer port,
                         Map<String, Secret> secrets, Duration timeout) {
        this(service, machine, transport, port, secrets, timeout, ConfigDigest.perProcess());
    }

    /**
     * A context for a service without secrets.
     *
     * @param service the service
     * @param machine its machine
     * @param transport a transport to it
     * @param port its port, or null
     * @param timeout how long each command may take
     */
    public DeployContext(Service service, Machine machine, Transport transport, @Nullable Integer port,
                         Duration timeout) {
        this(service, machine, transport, port, Map.of(), timeout);
    }

    /** Shows the service, machine and port, and the names of the secrets, never their values. */
    @Override
    public String toString() {
        return "DeployContext[" + service.name() + " on " + machine.name() + ", port=" + port + ", secrets="
                + secrets.keySet() + "]";
    }
}

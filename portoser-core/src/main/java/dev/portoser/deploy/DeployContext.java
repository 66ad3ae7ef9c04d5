package dev.portoser.deploy;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Service;
import dev.portoser.transport.Transport;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything a deployer needs for one action on one service.
 *
 * @param service the service, as it should run
 * @param machine the machine it runs on
 * @param transport a transport to that machine
 * @param port the port it should listen on (its own, or the one chosen for {@code port: auto}), or null
 * @param timeout how long each command may take
 */
public record DeployContext(Service service, Machine machine, Transport transport, @Nullable Integer port,
                            Duration timeout) {

    /** Checks the components. */
    public DeployContext {
        Objects.requireNonNull(service, "service == null");
        Objects.requireNonNull(machine, "machine == null");
        Objects.requireNonNull(transport, "transport == null");
        Objects.requireNonNull(timeout, "timeout == null");
    }
}

package dev.portoser.health;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Service;
import dev.portoser.transport.Transport;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a check looks at: a service on its machine, with the port it listens on and a transport to the machine
 * (for checks that must look on the machine, such as a PID file).
 *
 * @param service the service
 * @param machine the machine it runs on (for a move, the new one)
 * @param port the port to check: the health spec's, else the service's, else the one chosen for {@code port: auto};
 *     null when it has none
 * @param transport a transport to the machine
 */
public record HealthTarget(Service service, Machine machine, @Nullable Integer port, Transport transport) {

    /**
     * Checks the components.
     *
     * @param service the service
     * @param machine the machine
     * @param transport the transport
     * @param port the port
     */
    public HealthTarget {
        Objects.requireNonNull(service, "service == null");
        Objects.requireNonNull(machine, "machine == null");
        Objects.requireNonNull(transport, "transport == null");
    }

    /**
     * The host to connect to from the controller: the machine's host ({@code localhost} stays as it is).
     *
     * @return the host to connect to from the controller: the machine's host ({@code localhost} stays as it is)
     */
    public String host() {
        return machine.host();
    }
}

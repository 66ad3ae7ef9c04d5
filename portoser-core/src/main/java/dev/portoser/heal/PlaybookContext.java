package dev.portoser.heal;

import dev.portoser.exec.Sleeper;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What a playbook may use: the service and its machine, a transport to that machine (opened on first use), the
 * means to heal a dependency, and a sleeper for waits. Made by the {@link Healer} for one playbook run; not
 * thread-safe.
 */
public final class PlaybookContext implements AutoCloseable {
    private final Registry registry;
    private final Service service;
    private final Machine machine;
    private final Supplier<Transport> opener;
    private final DependencyHealer dependencies;
    private final Sleeper sleeper;
    private final Duration timeout;
    private @Nullable Transport transport;

    /** Heals another service (a dependency) and says whether it ends healthy. */
    @FunctionalInterface
    public interface DependencyHealer {
        /**
         * Heals a service: its own diagnosis and fixes, then starts it and waits until it is healthy.
         *
         * @param service the service's name
         * @return what happened
         * @throws InterruptedException when interrupted
         */
        HealReport heal(String service) throws InterruptedException;
    }

    PlaybookContext(Registry registry, Service service, Machine machine, Supplier<Transport> opener,
                    DependencyHealer dependencies, Sleeper sleeper, Duration timeout) {
        this.registry = registry;
        this.service = service;
        this.machine = machine;
        this.opener = opener;
        this.dependencies = dependencies;
        this.sleeper = sleeper;
        this.timeout = timeout;
    }

    /**
     * The registry.
     *
     * @return the registry the service being healed comes from
     */
    public Registry registry() {
        return registry;
    }

    /**
     * The service being healed.
     *
     * @return the service, as the registry defines it
     */
    public Service service() {
        return service;
    }

    /**
     * Its machine.
     *
     * @return the machine the service runs on
     */
    public Machine machine() {
        return machine;
    }

    /**
     * A transport to the machine, opened on first use.
     *
     * @return the transport
     * @throws TransportException when the machine cannot be reached
     */
    public Transport transport() {
        if (transport == null) {
            transport = opener.get();
        }
        return transport;
    }

    /**
     * Whether the machine can be reached now (a fresh connection).
     *
     * @return true when a command can run there
     */
    public boolean reconnect() {
        close();
        try {
            return transport().isReachable(timeout);
        } catch (TransportException e) {
            return false;
        }
    }

    /**
     * How long one command may take.
     *
     * @return the timeout of each command a playbook runs
     */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Waits (injected, so tests do not sleep).
     *
     * @return the sleeper playbooks wait with
     */
    public Sleeper sleeper() {
        return sleeper;
    }

    /**
     * Heals a dependency first.
     *
     * @param name its name
     * @return what happened
     * @throws InterruptedException when interrupted
     */
    public HealReport healDependency(String name) throws InterruptedException {
        return dependencies.heal(Objects.requireNonNull(name, "name == null"));
    }

    /** Closes the transport, if open. */
    @Override
    public void close() {
        if (transport != null) {
            transport.close();
            transport = null;
        }
    }
}

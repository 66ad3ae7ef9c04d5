package dev.portoser.transport;

import dev.portoser.registry.Machine;

/**
 * Opens transports to machines. A factory may pool connections: transports it returns share them, and closing
 * the factory closes them all. Implementations are thread-safe.
 */
public interface TransportFactory extends AutoCloseable {

    /**
     * A transport to a machine. Opening may be lazy: connection problems may surface on first use.
     *
     * @param machine the machine; must not be null
     * @return the transport; closing it releases what it alone holds
     * @throws TransportException when the machine cannot be reached (for factories that connect eagerly)
     */
    Transport open(Machine machine);

    /**
     * Opens the connection to a machine now, for a factory that connects lazily, so that the first command there
     * does not wait for it: the executor calls it for every machine of a plan at the start. It never throws for a
     * machine that cannot be reached; the first command reports that. By default it does nothing.
     *
     * @param machine the machine; must not be null
     */
    default void connectAhead(Machine machine) {
    }

    /** Closes every connection the factory holds; idempotent. */
    @Override
    void close();
}

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

    /** Closes every connection the factory holds; idempotent. */
    @Override
    void close();
}

package dev.portoser.health;

import dev.portoser.registry.Machine;
import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportException;
import dev.portoser.transport.TransportFactory;
import java.io.InputStream;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The monitor's transport to one machine, opened on first use (HTTP and TCP checks never need it) and again after
 * a failed open. Thread-safe. Not API.
 */
final class LazyTransport implements Transport {
    private final Machine machine;
    private final @Nullable TransportFactory factory;
    private @Nullable Transport open;
    private boolean closed;

    LazyTransport(Machine machine, @Nullable TransportFactory factory) {
        this.machine = machine;
        this.factory = factory;
    }

    private synchronized Transport get() {
        if (closed) {
            throw new TransportException(machine.name(), "the health monitor is closed", null);
        }
        if (open == null) {
            if (factory == null) {
                throw new TransportException(machine.name(), "machine " + machine.name() + " (" + machine.host()
                        + ") is remote and the health monitor has no transport for it: "
                        + "set HealthMonitor.builder(registry).transports(SshTransportFactory...)", null);
            }
            open = factory.open(machine);
        }
        return open;
    }

    @Override
    public Machine machine() {
        return machine;
    }

    @Override
    public CommandResult exec(Command command) {
        return get().exec(command);
    }

    @Override
    public void upload(InputStream content, String path, int mode) {
        get().upload(content, path, mode);
    }

    @Override
    public byte[] read(String path) {
        return get().read(path);
    }

    @Override
    public java.net.InetSocketAddress forward(int remotePort) {
        return get().forward(remotePort);
    }

    @Override
    public boolean isReachable(Duration timeout) {
        try {
            return get().isReachable(timeout);
        } catch (TransportException e) {
            return false;
        }
    }

    @Override
    public void close() {
        Transport t;
        synchronized (this) {
            closed = true;
            t = open;
            open = null;
        }
        if (t != null) {
            t.close();
        }
    }
}

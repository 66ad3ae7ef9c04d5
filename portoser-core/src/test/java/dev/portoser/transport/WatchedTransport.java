package dev.portoser.transport;

import dev.portoser.registry.Machine;
import java.io.InputStream;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A transport of the tests that passes every command through a hook before its delegate runs it: to count or
 * name commands, or to fail some of them. Everything else goes to the delegate.
 */
public final class WatchedTransport implements Transport {
    private final Transport delegate;
    private final UnaryOperator<Command> hook;

    /**
     * @param delegate runs the commands
     * @param hook sees each command first; returns it (or throws, to fail it)
     */
    public WatchedTransport(Transport delegate, UnaryOperator<Command> hook) {
        this.delegate = delegate;
        this.hook = hook;
    }

    /**
     * A factory of watched transports.
     *
     * @param open opens the delegate for a machine
     * @param hook sees each command first
     * @return the factory
     */
    public static TransportFactory factory(Function<Machine, Transport> open, UnaryOperator<Command> hook) {
        return new TransportFactory() {
            @Override
            public Transport open(Machine machine) {
                return new WatchedTransport(open.apply(machine), hook);
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public Machine machine() {
        return delegate.machine();
    }

    @Override
    public CommandResult exec(Command command) {
        return delegate.exec(hook.apply(command));
    }

    @Override
    public void upload(InputStream content, String path, int mode) {
        delegate.upload(content, path, mode);
    }

    @Override
    public byte[] read(String path) {
        return delegate.read(path);
    }

    @Override
    public boolean isReachable(Duration timeout) {
        return delegate.isReachable(timeout);
    }

    @Override
    public void close() {
        delegate.close();
    }
}

package dev.portoser.examples;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.LocalTransport;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportFactory;
import java.io.InputStream;
import java.time.Duration;

/**
 * A custom {@link Transport}: an audit trail around another transport, printing what runs where (commands show
 * the program and argument count, never values). Plug it in with {@code Executor.builder().localTransports(...)}
 * or {@code .transports(...)}.
 */
public final class CustomTransport implements Transport {
    private final Transport delegate;

    CustomTransport(Transport delegate) {
        this.delegate = delegate;
    }

    /** A factory wrapping every transport another factory opens. */
    static TransportFactory auditing(TransportFactory inner) {
        return new TransportFactory() {
            @Override
            public Transport open(Machine machine) {
                return new CustomTransport(inner.open(machine));
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }

    @Override
    public Machine machine() {
        return delegate.machine();
    }

    @Override
    public CommandResult exec(Command command) {
        CommandResult result = delegate.exec(command);
        System.out.println("[audit] " + machine().name() + ": " + command + " -> exit " + result.exitCode());
        return result;
    }

    @Override
    public void upload(InputStream content, String path, int mode) {
        System.out.println("[audit] " + machine().name() + ": upload " + path + " mode " + Integer.toOctalString(mode));
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

    public static void main(String[] args) {
        Machine laptop = Registry.parse("machines:\n  laptop: {host: localhost, user: me, platform: linux}\n")
                .machine("laptop").orElseThrow();
        try (Transport t = auditing(LocalTransport.factory()).open(laptop)) {
            System.out.print(t.exec(Command.script("echo \"hello, $1\"", "audited world")).stdout());
        }
    }
}

package dev.portoser.exec;

import dev.portoser.plan.Step;
import dev.portoser.registry.Machine;
import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.Transport;
import java.io.InputStream;
import java.time.Duration;

/** A transport that tells the run's listener about each command of a step. Thread-safe as its delegate. */
final class ObservedTransport implements Transport {
    private final Transport delegate;
    private final Step step;
    private final ExecutionListener listener;

    ObservedTransport(Transport delegate, Step step, ExecutionListener listener) {
        this.delegate = delegate;
        this.step = step;
        this.listener = listener;
    }

    @Override
    public Machine machine() {
        return delegate.machine();
    }

    @Override
    public CommandResult exec(Command command) {
        listener.commandStarted(step, command);
        CommandResult result = delegate.exec(command);
        listener.commandEnded(step, command, result);
        return result;
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

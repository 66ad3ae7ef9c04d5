package dev.portoser.transport;

import dev.portoser.registry.Machine;
import dev.portoser.transport.internal.LocalFiles;
import dev.portoser.transport.internal.CommandStreams;
import dev.portoser.transport.internal.DaemonThreads;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * This machine, without SSH: commands run through {@link ProcessBuilder} with an argument vector (never a shell
 * string), files are written and read directly.
 *
 * <pre>{@code
 * try (Transport local = new LocalTransport(registry.machine("laptop").orElseThrow())) {
 *     CommandResult r = local.exec(Command.of("uname", "-s"));
 * }
 * }</pre>
 *
 * <p>It has the same contract as the SSH transport (the same contract tests run against both): relative paths
 * and working directories are relative to the user's home, a command that outlives its timeout is killed with
 * its child processes, output streams are drained concurrently. Thread-safe; {@link #close()} is idempotent and
 * stops the daemon threads {@code portoser-local-*} that drain output.
 */
public final class LocalTransport implements Transport {
    private final Machine machine;
    private final Path home;
    private final ExecutorService pumps = DaemonThreads.cachedPool("local");
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * A local transport acting for a machine of the registry (usually one whose host is {@code localhost}).
     *
     * @param machine the machine; must not be null
     */
    public LocalTransport(Machine machine) {
        this(machine, Path.of(System.getProperty("user.home")));
    }

    /**
     * A local transport whose commands see {@code home} as their home directory ({@code HOME} and the base of
     * relative paths): a sandbox for tests and demos, so nothing lands in the real home.
     *
     * @param machine the machine; must not be null
     * @param home the home directory to use; must exist
     */
    public LocalTransport(Machine machine, Path home) {
        this.machine = Objects.requireNonNull(machine, "machine == null");
        this.home = Objects.requireNonNull(home, "home == null").toAbsolutePath();
    }

    /**
     * A factory that opens a {@link LocalTransport} for any machine.
     *
     * @return a factory that opens a {@link LocalTransport} for any machine
     */
    public static TransportFactory factory() {
        return new TransportFactory() {
            @Override
            public Transport open(Machine machine) {
                return new LocalTransport(machine);
            }

            @Override
            public void close() {
                // Each transport owns its threads and is closed by its user.
            }
        };
    }

    @Override
    public Machine machine() {
        return machine;
    }

    @Override
    public CommandResult exec(Command command) {
        Objects.requireNonNull(command, "command == null");
        checkOpen();
        ProcessBuilder builder = new ProcessBuilder(command.argv());
        builder.environment().put("HOME", home.toString());
        builder.directory(command.workingDirectory() == null ? home.toFile()
                : home.resolve(command.workingDirectory()).toFile());
        if (command.stdin() == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        long start = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            // Like a shell: a program that cannot be started is exit status 127, not a transport failure.
            return new CommandResult(127, "", "portoser: cannot run " + command.argv().get(0) + ": " + e.getMessage()
                    + "\n", Duration.ofNanos(System.nanoTime() - start), null);
        }
        CommandStreams streams;
        try {
            streams = CommandStreams.start(pumps, command, process.getInputStream(), process.getErrorStream(),
                    process.getOutputStream());
        } catch (IOException e) {
            kill(process);
            throw new TransportException(machine.name(), "cannot start a command on " + machine.name(), e);
        }
        try {
            if (!process.waitFor(command.timeout().toNanos(), TimeUnit.NANOSECONDS)) {
                kill(process);
                throw new TransportTimeoutException(machine.name(), "command on " + machine.name() + " ran longer than "
                        + command.timeout() + " and was killed (" + command + ")", null);
            }
            // The streams end when every process holding them exits; a daemon child must not hold us forever.
            streams.awaitOutput(command.timeout().toNanos() + TimeUnit.SECONDS.toNanos(1));
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new TransportException(machine.name(), "interrupted while running a command on " + machine.name(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new TransportException(machine.name(), "cannot read the output of a command on " + machine.name()
                    + " (a background process kept it open?)", e);
        }
        return new CommandResult(process.exitValue(), streams.stdout(), streams.stderr(),
                Duration.ofNanos(System.nanoTime() - start), null);
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    @Override
    public void upload(InputStream content, String path, int mode) {
        Objects.requireNonNull(content, "content == null");
        Objects.requireNonNull(path, "path == null");
        checkOpen();
        try {
            LocalFiles.writeAtomically(home.resolve(path), content, mode);
        } catch (IOException e) {
            throw new TransportException(machine.name(), "cannot write " + path + " on " + machine.name() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public byte[] read(String path) {
        Objects.requireNonNull(path, "path == null");
        checkOpen();
        try {
            return java.nio.file.Files.readAllBytes(home.resolve(path));
        } catch (NoSuchFileException e) {
            throw new NoSuchRemoteFileException(machine.name(), "no file " + path + " on " + machine.name(), e);
        } catch (IOException e) {
            throw new TransportException(machine.name(), "cannot read " + path + " on " + machine.name() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public boolean isReachable(Duration timeout) {
        return !closed.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            pumps.shutdownNow();
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the transport to " + machine.name() + " is closed");
        }
    }

    @Override
    public String toString() {
        return "LocalTransport[" + machine.name() + "]";
    }
}

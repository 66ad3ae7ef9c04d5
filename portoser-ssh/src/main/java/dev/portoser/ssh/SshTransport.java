package dev.portoser.ssh;

import dev.portoser.registry.Machine;
import dev.portoser.ssh.internal.Failures;
import dev.portoser.ssh.internal.RemoteWrapper;
import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.NoSuchRemoteFileException;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportException;
import dev.portoser.transport.TransportTimeoutException;
import dev.portoser.transport.internal.CommandStreams;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.schmizz.sshj.connection.ConnectionException;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.Signal;
import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.OpenMode;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.Response;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.sftp.SFTPException;

/**
 * A transport to one machine over the factory's shared SSH connection. Thread-safe; closing it does not close
 * the shared connection (the factory does).
 */
final class SshTransport implements Transport {
    private final SshTransportFactory factory;
    private final Machine machine;
    private volatile boolean closed;

    SshTransport(SshTransportFactory factory, Machine machine) {
        this.factory = factory;
        this.machine = machine;
    }

    @Override
    public Machine machine() {
        return machine;
    }

    @Override
    public CommandResult exec(Command command) {
        Objects.requireNonNull(command, "command == null");
        checkOpen();
        long start = System.nanoTime();
        long deadline = start + command.timeout().toNanos();
        SshTransportFactory.Connection connection = factory.connection(machine);
        acquire(connection, command.timeout());
        Session session = null;
        boolean closeLater = false;
        String token = UUID.randomUUID().toString().replace("-", "");
        try {
            session = openSession(connection, deadline);
            Session.Command running = session.exec(RemoteWrapper.commandLine(command, token));
            CommandStreams streams = CommandStreams.start(factory.pumps(), command, running.getInputStream(),
                    running.getErrorStream(), running.getOutputStream());
            if (!awaitExit(connection, running, deadline)) {
                // Stopping may wait on a dead link; do it in the background so the caller gets its answer now.
                // The channel permit is released only once the session is really gone.
                closeLater = true;
                Session toClose = session;
                factory.pumps().submit(() -> stop(connection, running, toClose, token));
                throw new TransportTimeoutException(machine.name(), "command on " + machine.name() + " ran longer than "
                        + command.timeout() + " and was killed (" + command + ")", null);
            }
            streams.awaitOutput(Math.max(TimeUnit.SECONDS.toNanos(1), deadline - System.nanoTime()));
            Integer status = running.getExitStatus();
            Signal signal = running.getExitSignal();
            if (status == null && signal == null) {
                // The channel closed without telling how the command ended: the connection broke under it.
                factory.evict(machine, connection);
                throw Failures.lost(machine, new IOException("the channel closed without an exit status"),
                        "running a command");
            }
            int exit = status != null ? status : 128 + signalNumber(signal);
            return new CommandResult(exit, streams.stdout(), streams.stderr(), Duration.ofNanos(System.nanoTime() - start),
                    signal == null ? null : signal.name());
        } catch (TransportException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException(machine.name(), "interrupted while running a command on " + machine.name(), e);
        } catch (ExecutionException | TimeoutException | IOException | IllegalStateException e) {
            // A failed channel on a live connection (too many sessions, say) must not break the other users.
            if (!connection.client.isConnected()) {
                factory.evict(machine, connection);
            }
            throw Failures.lost(machine, e, "running a command");
        } finally {
            if (!closeLater) {
                if (session != null) {
                    closeQuietly(session);
                }
                connection.channels.release();
            }
        }
    }

    /**
     * Opens a session channel, retrying briefly when the server refuses one: sshd counts a closed session until its
     * process is reaped, so under churn a new channel can be refused for a moment. Nothing has run yet, so a retry
     * is safe.
     */
    private static Session openSession(SshTransportFactory.Connection connection, long deadline)
            throws IOException, InterruptedException {
        long pause = 20;
        while (true) {
            try {
                return connection.client.startSession();
            } catch (net.schmizz.sshj.connection.channel.OpenFailException e) {
                if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pause) > deadline || pause > 2_000) {
                    throw e;
                }
                TimeUnit.MILLISECONDS.sleep(pause);
                pause *= 2;
            }
        }
    }

    /** Waits for the command's channel to close; false when the deadline passed first. */
    private static boolean awaitExit(SshTransportFactory.Connection connection, Session.Command running, long deadline)
            throws ConnectionException {
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return !running.isOpen();
            }
            try {
                running.join(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
                return true;
            } catch (ConnectionException e) {
                if (!running.isOpen()) {
                    return true;
                }
                if (!connection.client.isConnected()) {
                    throw e;
                }
                // Still running: SSHJ signals a wait that timed out with this exception. Keep waiting.
            }
        }
    }

    /**
     * Ends a timed-out command: TERM makes the remote wrapper kill the whole process tree. It is sent by a separate
     * {@code pkill} (sshd ignores signal requests of root logins) and as an SSH signal, before the channel is closed.
     */
    private void stop(SshTransportFactory.Connection connection, Session.Command running, Session session, String token) {
        try {
            if (connection.client.isConnected()) {
                try {
                    exec(RemoteWrapper.killCommand(token).timeout(Duration.ofSeconds(10)));
                } catch (RuntimeException e) {
                    // Best effort: the connection may be dying too.
                }
            }
            try {
                running.signal(Signal.TERM);
            } catch (IOException | RuntimeException e) {
                // The channel may already be gone.
            }
            closeQuietly(session);
        } finally {
            connection.channels.release();
        }
    }

    private static void closeQuietly(Session session) {
        try {
            session.close();
        } catch (IOException | RuntimeException e) {
            // The session is being abandoned; nothing more to do.
        }
    }

    private void acquire(SshTransportFactory.Connection connection, Duration timeout) {
        try {
            if (!connection.channels.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new TransportTimeoutException(machine.name(), "every SSH channel to " + machine.name()
                        + " stayed busy for " + timeout, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException(machine.name(), "interrupted while waiting for a channel to " + machine.name(), e);
        }
    }

    private static int signalNumber(Signal signal) {
        return switch (signal) {
            case HUP -> 1;
            case INT -> 2;
            case QUIT -> 3;
            case ILL -> 4;
            case ABRT -> 6;
            case FPE -> 8;
            case KILL -> 9;
            case USR1 -> 10;
            case SEGV -> 11;
            case USR2 -> 12;
            case PIPE -> 13;
            case ALRM -> 14;
            case TERM -> 15;
            default -> 0;
        };
    }

    @Override
    public void upload(InputStream content, String path, int mode) {
        Objects.requireNonNull(content, "content == null");
        Objects.requireNonNull(path, "path == null");
        checkOpen();
        int slash = path.lastIndexOf('/');
        String temp = (slash < 0 ? "" : path.substring(0, slash + 1)) + "." + path.substring(slash + 1) + ".portoser-"
                + UUID.randomUUID() + ".tmp";
        withSftp("writing " + path, sftp -> {
            // Created owner-only, filled, given its mode, then renamed over the target with rename(2).
            try (RemoteFile file = sftp.open(temp, EnumSet.of(OpenMode.CREAT, OpenMode.EXCL, OpenMode.WRITE),
                    new FileAttributes.Builder().withPermissions(0600).build())) {
                byte[] chunk = new byte[32 * 1024];
                long offset = 0;
                int n;
                while ((n = content.read(chunk)) >= 0) {
                    file.write(offset, chunk, 0, n);
                    offset += n;
                }
            } catch (SFTPException e) {
                throw new TransportException(machine.name(), "cannot write " + path + " on " + machine.name() + ": "
                        + e.getMessage(), e);
            }
            sftp.chmod(temp, mode);
            return null;
        });
        CommandResult moved = exec(Command.of("mv", "-f", "--", temp, path).timeout(Duration.ofSeconds(30)));
        if (!moved.succeeded()) {
            exec(Command.of("rm", "-f", "--", temp).timeout(Duration.ofSeconds(30)));
            throw new TransportException(machine.name(), "cannot write " + path + " on " + machine.name() + ": "
                    + moved.tail(3), null);
        }
    }

    @Override
    public byte[] read(String path) {
        Objects.requireNonNull(path, "path == null");
        checkOpen();
        return withSftp("reading " + path, sftp -> {
            try (RemoteFile file = sftp.open(path, EnumSet.of(OpenMode.READ))) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buffer = new byte[32 * 1024];
                long offset = 0;
                int n;
                while ((n = file.read(offset, buffer, 0, buffer.length)) > 0) {
                    out.write(buffer, 0, n);
                    offset += n;
                }
                return out.toByteArray();
            } catch (SFTPException e) {
                if (e.getStatusCode() == Response.StatusCode.NO_SUCH_FILE) {
                    throw new NoSuchRemoteFileException(machine.name(), "no file " + path + " on " + machine.name(), e);
                }
                throw new TransportException(machine.name(), "cannot read " + path + " on " + machine.name() + ": "
                        + e.getMessage(), e);
            }
        });
    }

    private interface SftpWork<T> {
        T run(SFTPClient sftp) throws IOException;
    }

    private <T> T withSftp(String doing, SftpWork<T> work) {
        SshTransportFactory.Connection connection = factory.connection(machine);
        acquire(connection, Duration.ofSeconds(60));
        try (SFTPClient sftp = connection.client.newSFTPClient()) {
            return work.run(sftp);
        } catch (TransportException e) {
            throw e;
        } catch (IOException e) {
            factory.evict(machine, connection);
            throw Failures.lost(machine, e, doing);
        } finally {
            connection.channels.release();
        }
    }

    /** Forwards through this machine's shared SSH connection (a {@code direct-tcpip} channel per connection). */
    @Override
    public java.net.InetSocketAddress forward(int remotePort) {
        checkOpen();
        return factory.forward(machine, remotePort);
    }

    @Override
    public boolean isReachable(Duration timeout) {
        try {
            return exec(Command.of("true").timeout(timeout)).succeeded();
        } catch (TransportException | IllegalStateException e) {
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the transport to " + machine.name() + " is closed");
        }
    }

    @Override
    public String toString() {
        return "SshTransport[" + Failures.where(machine) + "]";
    }
}

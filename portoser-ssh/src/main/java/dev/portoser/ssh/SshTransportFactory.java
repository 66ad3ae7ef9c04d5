package dev.portoser.ssh;

import dev.portoser.registry.Machine;
import dev.portoser.ssh.internal.Failures;
import dev.portoser.ssh.internal.HostKeys;
import dev.portoser.ssh.internal.NoDelaySockets;
import dev.portoser.transport.AuthenticationException;
import dev.portoser.transport.HostKeyVerificationException;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportFactory;
import dev.portoser.transport.internal.DaemonThreads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import net.schmizz.keepalive.KeepAliveProvider;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.password.PasswordFinder;
import net.schmizz.sshj.userauth.password.Resource;

/**
 * Opens SSH transports with SSHJ: one authenticated connection per machine, shared by every thread and every
 * transport to that machine, reopened after a failure.
 *
 * <pre>{@code
 * try (SshTransportFactory ssh = SshTransportFactory.builder()
 *         .knownHosts(Path.of("/etc/portoser/known_hosts"))
 *         .build()) {
 *     Transport web = ssh.open(registry.machine("web-1").orElseThrow());
 *     CommandResult r = web.exec(Command.of("uptime"));
 * }
 * }</pre>
 *
 * <p>Host keys are verified against {@code known_hosts} ({@code ~/.ssh/known_hosts} by default, hashed entries and
 * {@code [host]:port} understood): an unknown or changed key refuses the connection with
 * {@link HostKeyVerificationException}. Trust-on-first-use is an explicit option and still refuses a changed key.
 * The login uses the machine's {@code ssh_key} (ed25519, ECDSA or RSA). Connect, read and command timeouts are
 * always set, keep-alive is on, and each machine runs at most {@link Builder#maxChannelsPerMachine(int)} commands
 * at once (below OpenSSH's default {@code MaxSessions} of 10; further commands wait). Thread-safe;
 * {@link #close()} is idempotent and closes every connection.
 */
public final class SshTransportFactory implements TransportFactory {
    private final Path knownHosts;
    private final boolean trustOnFirstUse;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration keepAliveInterval;
    private final int maxChannelsPerMachine;
    private final PassphraseProvider passphrases;
    private final DefaultConfig config = new DefaultConfig();
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final Map<String, Object> connectLocks = new ConcurrentHashMap<>();
    private final Map<String, FailedConnect> failures = new ConcurrentHashMap<>();
    private final ExecutorService pumps = DaemonThreads.cachedPool("ssh");
    private final AtomicBoolean closed = new AtomicBoolean();

    private SshTransportFactory(Builder b) {
        this.knownHosts = b.knownHosts;
        this.trustOnFirstUse = b.trustOnFirstUse;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.keepAliveInterval = b.keepAliveInterval;
        this.maxChannelsPerMachine = b.maxChannelsPerMachine;
        this.passphrases = b.passphrases;
        // Must be set before connecting: SSHJ starts the keep-alive thread only if it is configured then.
        config.setKeepAliveProvider(KeepAliveProvider.KEEP_ALIVE);
    }

    /**
     * A builder with the defaults: {@code ~/.ssh/known_hosts}, no trust-on-first-use, 10 s to connect.
     *
     * @return a builder with the defaults: {@code ~/.ssh/known_hosts}, no trust-on-first-use, 10 s to connect
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Transport open(Machine machine) {
        Objects.requireNonNull(machine, "machine == null");
        if (closed.get()) {
            throw new IllegalStateException("the SSH transport factory is closed");
        }
        return new SshTransport(this, machine);
    }

    ExecutorService pumps() {
        return pumps;
    }

    /** The shared connection to a machine, connecting (once, even under contention) when there is none. */
    Connection connection(Machine machine) {
        String key = key(machine);
        Connection existing = connections.get(key);
        if (existing != null && existing.client.isConnected()) {
            return existing;
        }
        long asked = System.nanoTime();
        synchronized (connectLocks.computeIfAbsent(key, k -> new Object())) {
            if (closed.get()) {
                throw new IllegalStateException("the SSH transport factory is closed");
            }
            existing = connections.get(key);
            if (existing != null && existing.client.isConnected()) {
                return existing;
            }
            // A connect that failed while this caller waited for it is its answer too: ten steps on a dead machine
            // wait for one connect timeout, not for ten in a row.
            FailedConnect failed = failures.get(key);
            if (failed != null && failed.atNanos() - asked > 0) {
                throw failed.error();
            }
            if (existing != null) {
                evict(machine, existing);
            }
            Connection fresh;
            try {
                fresh = handshake(machine);
            } catch (RuntimeException e) {
                failures.put(key, new FailedConnect(System.nanoTime(), e));
                throw e;
            }
            failures.remove(key);
            connections.put(key, fresh);
            return fresh;
        }
    }

    /** Connects now, so that the first command does not wait for the handshake; a failure is left to it to report. */
    @Override
    public void connectAhead(Machine machine) {
        Objects.requireNonNull(machine, "machine == null");
        try {
            connection(machine);
        } catch (RuntimeException e) {
            // the first command on the machine gets this failure, with its context
        }
    }

    /** The last connect to a machine that failed, and when it ended. */
    private record FailedConnect(long atNanos, RuntimeException error) {
    }

    /** Drops a broken connection so the next call opens a new one. */
    void evict(Machine machine, Connection connection) {
        connections.remove(key(machine), connection);
        connection.closeQuietly();
    }

    private Connection handshake(Machine machine) {
        SSHClient client = new SSHClient(config);
        client.setSocketFactory(new NoDelaySockets());
        client.setConnectTimeout((int) connectTimeout.toMillis());
        client.setTimeout((int) readTimeout.toMillis());
        client.getTransport().setTimeoutMs((int) readTimeout.toMillis());
        client.getConnection().setTimeoutMs((int) readTimeout.toMillis());
        client.getConnection().getKeepAlive().setKeepAliveInterval((int) Math.max(1, keepAliveInterval.toSeconds()));
        HostKeys hostKeys;
        try {
            hostKeys = new HostKeys(knownHosts, trustOnFirstUse);
        } catch (IOException e) {
            throw new HostKeyVerificationException(machine.name(), "cannot read " + knownHosts + ": "
                    + dev.portoser.ErrorMessages.describe(e), e);
        }
        client.addHostKeyVerifier(hostKeys);
        java.util.concurrent.atomic.AtomicReference<String> negotiated = new java.util.concurrent.atomic.AtomicReference<>();
        client.addAlgorithmsVerifier(algorithms -> {
            negotiated.set("kex=" + algorithms.getKeyExchangeAlgorithm() + ", hostkey=" + algorithms.getSignatureAlgorithm()
                    + ", cipher=" + algorithms.getClient2ServerCipherAlgorithm());
            return true;
        });
        try {
            client.connect(machine.host(), machine.sshPort());
        } catch (IOException e) {
            closeQuietly(client);
            throw Failures.connecting(machine, e, hostKeys.refusal(), connectTimeout);
        }
        Path key = keyPath(machine);
        try {
            if (!Files.isReadable(key)) {
                throw new AuthenticationException(machine.name(), "cannot log in to " + Failures.where(machine)
                        + ": the key " + key + " (ssh_key of machine '" + machine.name() + "') is missing or unreadable",
                        null);
            }
            KeyProvider keys = client.loadKeys(key.toString(), passwordFinder(machine, key));
            client.authPublickey(machine.user(), keys);
        } catch (IOException e) {
            closeQuietly(client);
            throw Failures.authenticating(machine, e, key);
        } catch (RuntimeException e) {
            closeQuietly(client);
            throw e;
        }
        return new Connection(client, new Semaphore(maxChannelsPerMachine, true), negotiated.get());
    }

    private PasswordFinder passwordFinder(Machine machine, Path key) {
        return new PasswordFinder() {
            private boolean asked;

            @Override
            public char[] reqPassword(Resource<?> resource) {
                asked = true;
                char[] passphrase = passphrases.passphrase(machine, key);
                return passphrase == null ? new char[0] : passphrase;
            }

            @Override
            public boolean shouldRetry(Resource<?> resource) {
                return !asked;
            }
        };
    }

    /** The machine's {@code ssh_key} with {@code ~/} meaning this user's home. */
    static Path keyPath(Machine machine) {
        String key = machine.sshKey();
        return key.startsWith("~/") ? Path.of(System.getProperty("user.home"), key.substring(2)) : Path.of(key);
    }

    private static String key(Machine machine) {
        return machine.user() + "@" + machine.host() + ":" + machine.sshPort() + "/" + machine.sshKey();
    }

    private static void closeQuietly(SSHClient client) {
        try {
            client.close();
        } catch (IOException | RuntimeException e) {
            // Closing a connection that failed; nothing more to do.
        }
    }

    /**
     * What the current connection to a machine negotiated, for diagnostics and benchmarks: key exchange, host key
     * and cipher algorithms.
     *
     * @param machine the machine
     * @return a description such as {@code kex=curve25519-sha256, hostkey=ssh-ed25519, cipher=aes128-ctr}, or empty
     *     when there is no open connection to it
     */
    public java.util.Optional<String> negotiatedAlgorithms(Machine machine) {
        Connection c = connections.get(key(machine));
        return c == null || !c.client.isConnected() ? java.util.Optional.empty()
                : java.util.Optional.ofNullable(c.algorithms);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            connections.values().forEach(Connection::closeQuietly);
            connections.clear();
            pumps.shutdownNow();
        }
    }

    /**
     * A local loopback address forwarded through the machine's connection to a port on its loopback; one listener
     * per port and connection, closed with the connection.
     */
    java.net.InetSocketAddress forward(Machine machine, int remotePort) {
        Connection c = connection(machine);
        synchronized (c.forwards) {
            java.net.ServerSocket open = c.forwards.get(remotePort);
            if (open != null && !open.isClosed()) {
                return (java.net.InetSocketAddress) open.getLocalSocketAddress();
            }
            java.net.ServerSocket socket = null;
            try {
                socket = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
                java.net.ServerSocket listening = socket;
                net.schmizz.sshj.connection.channel.direct.LocalPortForwarder forwarder = c.client.newLocalPortForwarder(
                        new net.schmizz.sshj.connection.channel.direct.Parameters("127.0.0.1", socket.getLocalPort(),
                                "127.0.0.1", remotePort), socket);
                pumps.submit(() -> {
                    try {
                        forwarder.listen();
                    } catch (IOException e) {
                        // the listener or the connection closed
                    } finally {
                        closeQuietly(listening);
                    }
                });
                c.forwards.put(remotePort, socket);
                return (java.net.InetSocketAddress) socket.getLocalSocketAddress();
            } catch (IOException | java.util.concurrent.RejectedExecutionException e) {
                if (socket != null) {
                    closeQuietly(socket);
                }
                throw new dev.portoser.transport.TransportException(machine.name(), "cannot forward port " + remotePort
                        + " of " + machine.name() + ": " + e.getMessage(), e);
            }
        }
    }

    private static void closeQuietly(java.net.ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing more to release
        }
    }

    /** One authenticated connection, its channel budget and its port forwards. */
    static final class Connection {
        final SSHClient client;
        final Semaphore channels;
        final String algorithms;
        final Map<Integer, java.net.ServerSocket> forwards = new ConcurrentHashMap<>();

        Connection(SSHClient client, Semaphore channels, String algorithms) {
            this.client = client;
            this.channels = channels;
            this.algorithms = algorithms;
        }

        void closeQuietly() {
            forwards.values().forEach(SshTransportFactory::closeQuietly);
            SshTransportFactory.closeQuietly(client);
        }
    }

    /** Options for {@link SshTransportFactory}. Not thread-safe. */
    public static final class Builder {
        private Path knownHosts = Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
        private boolean trustOnFirstUse;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(30);
        private Duration keepAliveInterval = Duration.ofSeconds(5);
        private int maxChannelsPerMachine = 8;
        private PassphraseProvider passphrases = PassphraseProvider.NONE;

        private Builder() {
        }

        /**
         * The known_hosts file that host keys are checked against (and added to, with trust-on-first-use).
         *
         * @param file the file
         * @return this builder
         */
        public Builder knownHosts(Path file) {
            this.knownHosts = Objects.requireNonNull(file, "file == null");
            return this;
        }

        /**
         * Accepts a machine's key the first time it is seen and records it; a key that later changes is still
         * refused. Off by default: only use it where the first connection cannot be intercepted.
         *
         * @return this builder
         */
        public Builder trustOnFirstUse() {
            this.trustOnFirstUse = true;
            return this;
        }

        /**
         * How long connecting (TCP and SSH handshake) may take; 10 s by default.
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /**
         * How long the connection may stay silent before it counts as lost; 30 s by default.
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive(timeout, "readTimeout");
            return this;
        }

        /**
         * How often an idle connection is probed; 5 s by default.
         *
         * @param interval the interval
         * @return this builder
         */
        public Builder keepAliveInterval(Duration interval) {
            this.keepAliveInterval = positive(interval, "keepAliveInterval");
            return this;
        }

        /**
         * Most commands (SSH channels) running at once on one machine; 8 by default, at least 1.
         *
         * @param channels the channels
         * @return this builder
         */
        public Builder maxChannelsPerMachine(int channels) {
            if (channels < 1) {
                throw new IllegalArgumentException("maxChannelsPerMachine must be >= 1, was " + channels);
            }
            this.maxChannelsPerMachine = channels;
            return this;
        }

        /**
         * Where passphrases of encrypted keys come from; none by default.
         *
         * @param provider the provider
         * @return this builder
         */
        public Builder passphrases(PassphraseProvider provider) {
            this.passphrases = Objects.requireNonNull(provider, "provider == null");
            return this;
        }

        /**
         * The factory.
         *
         * @return the factory
         */
        public SshTransportFactory build() {
            return new SshTransportFactory(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name + " == null");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }
    }

    @Override
    public String toString() {
        return "SshTransportFactory[knownHosts=" + knownHosts + ", trustOnFirstUse=" + trustOnFirstUse
                + ", connections=" + Arrays.toString(connections.keySet().toArray()) + "]";
    }
}

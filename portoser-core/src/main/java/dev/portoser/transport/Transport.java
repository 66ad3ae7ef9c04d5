package dev.portoser.transport;

import dev.portoser.registry.Machine;
import java.time.Duration;

/**
 * A connection to one machine: runs commands and moves files. Implementations are thread-safe: many commands
 * may run at once over one transport. {@link #close()} is idempotent.
 *
 * <p>Relative paths are relative to the login's home directory. Every operation is bounded in time: a command by
 * its {@link Command#timeout()}, file operations and reachability by the transport's own timeouts.
 */
public interface Transport extends AutoCloseable {

    /**
     * The machine this transport reaches.
     *
     * @return the machine this transport reaches
     */
    Machine machine();

    /**
     * Runs a command and waits for it to end.
     *
     * @param command what to run; must not be null
     * @return how it ended; a non-zero exit code is returned, not thrown
     * @throws TransportTimeoutException when it runs longer than its timeout (it is killed first)
     * @throws TransportException when the machine cannot be reached or the connection breaks
     */
    CommandResult exec(Command command);

    /**
     * Writes a file atomically: the bytes go to a temporary file in the same directory, which gets its mode and is
     * then renamed over the target, so a reader sees the old file or the new one, never half of one. The parent
     * directory must exist.
     *
     * @param bytes the content; must not be null
     * @param path the target path; must not be null
     * @param mode the POSIX permission bits, such as {@code 0600}
     * @throws TransportException when the file cannot be written
     */
    default void upload(byte[] bytes, String path, int mode) {
        upload(new java.io.ByteArrayInputStream(java.util.Objects.requireNonNull(bytes, "bytes == null")), path, mode);
    }

    /**
     * Writes a file atomically from a stream, without holding it all in memory; otherwise as
     * {@link #upload(byte[], String, int)}. The stream is read to its end but not closed.
     *
     * @param content the content; must not be null
     * @param path the target path; must not be null
     * @param mode the POSIX permission bits, such as {@code 0600}
     * @throws TransportException when the file cannot be written or the stream cannot be read
     */
    void upload(java.io.InputStream content, String path, int mode);

    /**
     * Reads a whole file.
     *
     * @param path the file; must not be null
     * @return its bytes
     * @throws NoSuchRemoteFileException when there is no such file
     * @throws TransportException when it cannot be read
     */
    byte[] read(String path);

    /**
     * Whether the machine answers within the timeout (a connection is made and a trivial command runs).
     *
     * @param timeout how long to try; must be positive
     * @return true when it answered
     */
    boolean isReachable(Duration timeout);

    /**
     * A local address whose connections reach a port on the machine's own loopback interface through this
     * transport's connection (an SSH port forward), for checking a service that listens only there
     * ({@code health.via: ssh}). The forward stays open until the transport's connection closes; asking again for
     * the same port gives the same address while it lasts. Transports that cannot forward say so.
     *
     * @param remotePort the port on the machine's loopback
     * @return a loopback address on this machine
     * @throws TransportException when the forward cannot be made, or this transport cannot forward at all
     */
    default java.net.InetSocketAddress forward(int remotePort) {
        throw new TransportException(machine().name(), "the transport to " + machine().name()
                + " cannot forward ports (health.via: ssh needs an SSH transport)", null);
    }

    /** Releases the connection; idempotent. */
    @Override
    void close();
}

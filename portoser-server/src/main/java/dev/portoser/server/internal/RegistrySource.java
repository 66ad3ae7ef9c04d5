package dev.portoser.server.internal;

import dev.portoser.registry.Problem;
import dev.portoser.registry.Registry;
import dev.portoser.registry.RegistryException;
import dev.portoser.registry.RegistryLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * The registry file the server serves, as last read: the valid registry, the SHA-256 of the bytes it came from
 * (the version clients send back in {@code If-Match}), and the problems of the file when it has become invalid
 * since (the server goes on with the last valid registry until the file is fixed). Thread-safe.
 */
public final class RegistrySource {
    /**
     * What was read.
     *
     * @param registry the last valid registry
     * @param sha256 the digest of the file's bytes when it was read (valid or not)
     * @param problems the file's errors when it is not valid now, else empty
     */
    public record Snapshot(Registry registry, String sha256, List<Problem> problems) {
    }

    private final Path file;
    private final RegistryLoader loader;
    private final Consumer<Snapshot> changed;
    private volatile Snapshot current;

    /**
     * Reads the file; it must be valid at start.
     *
     * @param file the registry file
     * @param loader how it is loaded and validated
     * @param changed told of each new snapshot after the first
     * @throws RegistryException when the file is not valid
     */
    public RegistrySource(Path file, RegistryLoader loader, Consumer<Snapshot> changed) {
        this.file = file;
        this.loader = loader;
        this.changed = changed;
        byte[] bytes = read();
        this.current = new Snapshot(loader.load(file), sha256(bytes), List.of());
    }

    /**
     * The file.
     *
     * @return its path
     */
    public Path file() {
        return file;
    }

    /**
     * The current snapshot.
     *
     * @return what was last read
     */
    public Snapshot snapshot() {
        return current;
    }

    /**
     * The digest of the file's bytes now.
     *
     * @return its SHA-256, hex
     */
    public String shaOnDisk() {
        return sha256(read());
    }

    /**
     * Reads the file again when its bytes changed since the last read.
     *
     * @param force whether to read it even when they did not
     * @return the snapshot now
     */
    public synchronized Snapshot reload(boolean force) {
        byte[] bytes = read();
        String sha = sha256(bytes);
        Snapshot before = current;
        if (!force && sha.equals(before.sha256())) {
            return before;
        }
        Snapshot next;
        try {
            next = new Snapshot(loader.load(file), sha, List.of());
        } catch (RegistryException e) {
            next = new Snapshot(before.registry(), sha, e.errors());
        }
        current = next;
        changed.accept(next);
        return next;
    }

    private byte[] read() {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the registry " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A hex SHA-256.
     *
     * @param bytes what to digest
     * @return the digest, lower-case hex
     */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}

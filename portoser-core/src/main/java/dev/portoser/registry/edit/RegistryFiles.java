package dev.portoser.registry.edit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file side of editing: the cross-process lock on a sibling lock file, backups, and the atomic write (temp
 * file in the same directory, fsync, rename, fsync of the directory) that keeps the file's mode and owner.
 */
final class RegistryFiles {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryFiles.class);
    /** In one JVM, file locks do not exclude threads; this does. */
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private RegistryFiles() {
    }

    /** The lock file next to a registry: {@code .registry.yml.lock}. */
    static Path lockFile(Path file) {
        return file.resolveSibling("." + file.getFileName() + ".lock");
    }

    /** A held lock; close to release. */
    static final class Held implements AutoCloseable {
        private final ReentrantLock local;
        private final FileChannel channel;
        private final FileLock lock;

        private Held(ReentrantLock local, FileChannel channel, FileLock lock) {
            this.local = local;
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void close() throws IOException {
            try {
                lock.release();
            } finally {
                channel.close();
                local.unlock();
            }
        }
    }

    /** Takes the registry's lock, waiting at most {@code timeout} for other threads and processes. */
    static Held lock(Path file, Duration timeout) throws IOException {
        Path lockFile = lockFile(file).toAbsolutePath().normalize();
        long deadline = System.nanoTime() + timeout.toNanos();
        ReentrantLock local = IN_PROCESS.computeIfAbsent(lockFile, p -> new ReentrantLock());
        try {
            if (!local.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw busy(file, timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryConflictException("interrupted while waiting for the lock of " + file);
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            while (true) {
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock != null) {
                    return new Held(local, channel, lock);
                }
                if (System.nanoTime() > deadline) {
                    throw busy(file, timeout);
                }
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close(channel);
            local.unlock();
            throw new RegistryConflictException("interrupted while waiting for the lock of " + file);
        } catch (IOException | RuntimeException e) {
            close(channel);
            local.unlock();
            throw e;
        }
    }

    private static void close(@Nullable FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing a lock channel failed", e);
            }
        }
    }

    private static RegistryConflictException busy(Path file, Duration timeout) {
        return new RegistryConflictException("another editor held the lock of " + file + " (" + lockFile(file)
                + ") for more than " + timeout.toMillis() + " ms; nothing was written; try again");
    }

    /**
     * Removes the temp files that a writer killed mid-save left next to the file. Only call under the lock: then
     * no other writer has a temp file in flight.
     */
    static void removeStaleTemps(Path file) throws IOException {
        String prefix = "." + file.getFileName() + ".";
        try (java.util.stream.Stream<Path> siblings = Files.list(file.toAbsolutePath().getParent())) {
            for (Path p : (Iterable<Path>) siblings::iterator) {
                String n = p.getFileName().toString();
                if (n.startsWith(prefix) && n.endsWith(".tmp") && Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(p);
                    LOG.debug("removed {}, left by an editor that was stopped while saving", p);
                }
            }
        }
    }

    /**
     * Keeps the last {@code count} versions: {@code file.bak} is the newest, then {@code file.bak.1} and so on.
     *
     * @return the new backup, or null when {@code count} is 0
     */
    static @Nullable Path backup(Path file, byte[] current, int count) throws IOException {
        if (count <= 0) {
            return null;
        }
        Path newest = file.resolveSibling(file.getFileName() + ".bak");
        Files.deleteIfExists(numbered(newest, count - 1));
        for (int i = count - 2; i >= 1; i--) {
            Path older = numbered(newest, i);
            if (Files.exists(older)) {
                Files.move(older, numbered(newest, i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (count > 1 && Files.exists(newest)) {
            Files.move(newest, numbered(newest, 1), StandardCopyOption.REPLACE_EXISTING);
        }
        write(newest, current, file);
        return newest;
    }

    private static Path numbered(Path newest, int i) {
        return i == 0 ? newest : newest.resolveSibling(newest.getFileName() + "." + i);
    }

    /**
     * Writes {@code bytes} to {@code file} atomically: a crash leaves the old or the new file, never a mix.
     *
     * @param like the file whose mode and owner the result gets (usually {@code file} itself)
     */
    static void write(Path file, byte[] bytes, Path like) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path temp = dir.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        PosixFileAttributes attributes = null;
        try {
            attributes = Files.readAttributes(like, PosixFileAttributes.class);
        } catch (NoSuchFileException | UnsupportedOperationException e) {
            // a new file takes the defaults
        }
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                if (attributes != null) {
                    keepModeAndOwner(temp, attributes);
                }
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + dir + " cannot rename atomically; nothing was written");
            }
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void keepModeAndOwner(Path temp, PosixFileAttributes attributes) throws IOException {
        Set<PosixFilePermission> mode = attributes.permissions();
        Files.setPosixFilePermissions(temp, mode);
        PosixFileAttributeView view = Files.getFileAttributeView(temp, PosixFileAttributeView.class);
        PosixFileAttributes now = view.readAttributes();
        try {
            if (!now.owner().equals(attributes.owner())) {
                view.setOwner(attributes.owner());
            }
            GroupPrincipal group = attributes.group();
            if (!now.group().equals(group)) {
                view.setGroup(group);
            }
        } catch (IOException e) {
            LOG.warn("cannot keep the owner {}:{} of the registry ({}); the new file belongs to {}:{}",
                    attributes.owner().getName(), attributes.group().getName(), e.getMessage(),
                    now.owner().getName(), now.group().getName());
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            LOG.debug("cannot fsync the directory {}", dir, e);
        }
    }

    /** The SHA-256 of bytes, in hex. */
    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}

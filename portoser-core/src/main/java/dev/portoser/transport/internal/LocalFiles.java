package dev.portoser.transport.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/** Atomic file writes on this machine: temporary file, fsync, mode, rename, fsync of the directory. */
public final class LocalFiles {
    private LocalFiles() {
    }

    /**
     * Writes a file so that readers see the old content or the new, never a part, and the new survives a crash.
     *
     * @param target the file
     * @param content the content, read to its end (not closed)
     * @param mode POSIX permission bits such as {@code 0600}; the file never has wider ones, even briefly
     * @throws IOException when the parent directory is missing or any step fails (the temporary file is removed)
     */
    public static void writeAtomically(Path target, java.io.InputStream content, int mode) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Set<PosixFilePermission> permissions = permissions(mode);
        // Created owner-only, whatever the umask; widened to the asked mode only after the content is complete.
        Path temp = Files.createTempFile(parent, "." + target.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(permissions(0600)));
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                byte[] chunk = new byte[64 * 1024];
                int n;
                while ((n = content.read(chunk)) >= 0) {
                    ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, n);
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                }
                channel.force(true);
            }
            Files.setPosixFilePermissions(temp, permissions);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + parent + " cannot rename atomically", e);
            }
            try (FileChannel directory = FileChannel.open(parent, StandardOpenOption.READ)) {
                directory.force(true);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The permission set of POSIX mode bits (only the nine permission bits count). */
    public static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(order[bit]);
            }
        }
        return set;
    }
}

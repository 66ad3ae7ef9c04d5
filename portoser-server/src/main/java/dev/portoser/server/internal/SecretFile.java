package dev.portoser.server.internal;

import dev.portoser.ErrorMessages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A small file only its owner may read: the server's token and its address file. Created 0600 from the start
 * (never written first and restricted later), replaced atomically, and refused when someone else could read it.
 */
public final class SecretFile {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private SecretFile() {
    }

    /**
     * The file's text, made with {@code make} when the file does not exist.
     *
     * @param file the file
     * @param make the text of a new file
     * @return the text
     * @throws UncheckedIOException when it cannot be read or made, or others may read it
     */
    public static String readOrCreate(Path file, Supplier<String> make) {
        try {
            if (Files.isSymbolicLink(file)) {
                throw new IOException("it is a symbolic link; refusing to follow it");
            }
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    write(file, make.get());
                } catch (FileAlreadyExistsException raced) {
                    // another server made it first: use theirs
                }
            }
            if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
                Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
                if (!OWNER_ONLY.containsAll(mode)) {
                    throw new IOException("others may read it (mode " + PosixFilePermissions.toString(mode)
                            + "); chmod 600 it or remove it for a new one");
                }
            }
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (text.isEmpty()) {
                throw new IOException("it is empty; remove it for a new one");
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use " + file + ": " + ErrorMessages.describe(e), e);
        }
    }

    /**
     * Writes the file atomically, 0600 from the start.
     *
     * @param file the file
     * @param text its text
     * @throws IOException when it cannot be written
     */
    public static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.deleteIfExists(tmp);
        if (Files.getFileStore(file.getParent()).supportsFileAttributeView("posix")) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } else {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, text + "\n", StandardCharsets.UTF_8);
        try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}

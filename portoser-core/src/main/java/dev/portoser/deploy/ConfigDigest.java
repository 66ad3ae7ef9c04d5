package dev.portoser.deploy;

import dev.portoser.secret.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Digests of a service's configuration, which tell a deployer whether what runs is what the registry says. The
 * digest ends up on the machine (in a file, and in a process's arguments), so it must not let anyone who can read
 * it test guesses of a secret: it is an HMAC-SHA-256 under a key of the controller's, and a secret contributes its
 * provider's version when it has one, its value (under the key) only when it has none. Thread-safe.
 *
 * <p>The key is kept in a 0600 file in the controller's state directory ({@link #fromKeyFile(Path)}), so digests
 * are stable across runs of one controller. Secrets with versions (Vault's KV) digest the same on every controller.
 */
public final class ConfigDigest {
    private static final int KEY_BYTES = 32;
    private static final ConfigDigest PER_PROCESS = ephemeral();
    private final SecretKeySpec key;

    private ConfigDigest(byte[] key) {
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /**
     * Digests under a given key.
     *
     * @param key at least 16 bytes
     * @return the digester
     */
    public static ConfigDigest withKey(byte[] key) {
        if (Objects.requireNonNull(key, "key == null").length < 16) {
            throw new IllegalArgumentException("the key must have at least 16 bytes, had " + key.length);
        }
        return new ConfigDigest(key);
    }

    /**
     * Digests under a fresh random key: stable only within this object's life (for tests and one-off tools).
     *
     * @return the digester
     */
    public static ConfigDigest ephemeral() {
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        return new ConfigDigest(key);
    }

    /**
     * Digests under one random key per JVM: stable within this process only.
     *
     * @return the digester
     */
    public static ConfigDigest perProcess() {
        return PER_PROCESS;
    }

    /**
     * Digests under the key in a file, creating the file (mode 0600, never through a symlink) with a random key
     * when there is none.
     *
     * @param file the key file, such as {@code ~/.portoser/digest.key}
     * @return the digester
     * @throws KeyFileException when the file cannot be read or created
     */
    public static ConfigDigest fromKeyFile(Path file) {
        try {
            if (Files.isSymbolicLink(file)) {
                throw new IOException(file + " is a symbolic link; refusing to use it as a key file");
            }
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(file.toAbsolutePath().getParent());
                byte[] key = new byte[KEY_BYTES];
                new SecureRandom().nextBytes(key);
                // Written whole and 0600 from the start under a temporary name, then linked in: a full disk leaves
                // no half key, and of two processes making it at once, both use the one that got there first.
                Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".digest.key.", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                try {
                    Files.write(temp, HexFormat.of().formatHex(key).getBytes(StandardCharsets.US_ASCII),
                            StandardOpenOption.WRITE, StandardOpenOption.SYNC);
                    Files.createLink(file, temp);
                } catch (FileAlreadyExistsException raced) {
                    // another process made it first: use theirs
                } finally {
                    Files.deleteIfExists(temp);
                }
            }
            String hex = Files.readString(file, StandardCharsets.US_ASCII).strip();
            try {
                return withKey(HexFormat.of().parseHex(hex));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " does not hold a key (expected 64 hexadecimal digits)");
            }
        } catch (IOException e) {
            throw new KeyFileException("cannot use the digest key " + file + ": " + dev.portoser.ErrorMessages.describe(e),
                    e);
        }
    }

    /**
     * The digest of some parts (each length-prefixed, so parts cannot run into each other).
     *
     * @param parts the parts; null stands for an absent value
     * @return 24 hexadecimal digits
     */
    public String of(String... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            for (String part : parts) {
                byte[] bytes = part == null ? new byte[] {(byte) 0xff} : part.getBytes(StandardCharsets.UTF_8);
                mac.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
                mac.update((byte) ':');
                mac.update(bytes);
            }
            return HexFormat.of().formatHex(mac.doFinal(), 0, 12);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
        }
    }

    /**
     * What a secret contributes to a digest: its version when it has one, else a keyed digest of its value.
     *
     * @param secret the secret
     * @return a string that can be shown
     */
    public String secret(Secret secret) {
        return secret.version() != null ? "version " + secret.version() : "value " + of(secret.reveal());
    }

    /** Never the key. */
    @Override
    public String toString() {
        return "ConfigDigest[HmacSHA256]";
    }

    /** The digest key file cannot be made or read; the message says why in words. */
    public static final class KeyFileException extends dev.portoser.PortoserException {
        private static final long serialVersionUID = 1L;

        KeyFileException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

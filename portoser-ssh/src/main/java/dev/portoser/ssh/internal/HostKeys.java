package dev.portoser.ssh.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Base64;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;
import org.jspecify.annotations.Nullable;

/**
 * Verifies host keys against a {@code known_hosts} file (hashed entries and {@code [host]:port} included).
 * An unknown key is refused unless trust-on-first-use is on, in which case it is added to the file; a changed
 * key is always refused. Remembers why it refused, for the error message. One instance per connection attempt.
 */
public final class HostKeys extends OpenSSHKnownHosts {
    private final boolean trustOnFirstUse;
    private @Nullable String refusal;

    /**
     * Reads the file (a missing file is an empty one).
     *
     * @param file the known_hosts file
     * @param trustOnFirstUse whether an unknown key is accepted and recorded
     * @throws IOException when the file exists but cannot be read
     */
    public HostKeys(Path file, boolean trustOnFirstUse) throws IOException {
        super(readable(file));
        this.trustOnFirstUse = trustOnFirstUse;
    }

    private static File readable(Path file) throws IOException {
        if (!Files.exists(file)) {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        }
        return file.toFile();
    }

    @Override
    protected boolean hostKeyUnverifiableAction(String host, PublicKey key) {
        if (knowsAnotherKeyOf(host)) {
            // Like OpenSSH's accept-new: a new key type for a known host is not a first use.
            refusal = "the host key of " + host + " (" + fingerprint(key) + ") is of a type not in " + khFile
                    + ", which knows another key of this host; someone may be impersonating the machine";
            return false;
        }
        if (!trustOnFirstUse) {
            refusal = "the host key of " + host + " (" + fingerprint(key) + ") is not in " + khFile
                    + "; add it (ssh-keyscan) or enable trust-on-first-use";
            return false;
        }
        try {
            write(new HostEntry(null, host, KeyType.fromKey(key), key));
            return true;
        } catch (IOException e) {
            refusal = "the host key of " + host + " could not be recorded in " + khFile + ": "
                    + dev.portoser.ErrorMessages.describe(e);
            return false;
        }
    }

    @Override
    protected boolean hostKeyChangedAction(String host, PublicKey key) {
        refusal = "the host key of " + host + " CHANGED: it is now " + fingerprint(key) + ", which does not match "
                + khFile + "; someone may be impersonating the machine. If the change is expected, remove the old "
                + "entry (ssh-keygen -R) and connect again";
        return false;
    }

    private boolean knowsAnotherKeyOf(String host) {
        for (KnownHostEntry entry : entries()) {
            try {
                if (entry.appliesTo(host)) {
                    return true;
                }
            } catch (IOException e) {
                return true; // an entry we cannot evaluate is not a reason to trust a new key
            }
        }
        return false;
    }

    /** Why the last verification refused the key, or null when it did not. */
    public @Nullable String refusal() {
        return refusal;
    }

    /** OpenSSH's form of a key's fingerprint: {@code SHA256:} and the unpadded Base64 digest of the key blob. */
    public static String fingerprint(PublicKey key) {
        try {
            byte[] blob = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}

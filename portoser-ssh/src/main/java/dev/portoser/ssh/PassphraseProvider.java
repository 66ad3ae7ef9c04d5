package dev.portoser.ssh;

import dev.portoser.registry.Machine;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** Supplies the passphrase of an encrypted private key, when one is needed. Must be thread-safe. */
@FunctionalInterface
public interface PassphraseProvider {
    /** A provider that knows no passphrase: encrypted keys fail with an authentication error. */
    PassphraseProvider NONE = (machine, key) -> null;

    /**
     * The passphrase of a key.
     *
     * @param machine the machine being connected to
     * @param key the private key file
     * @return the passphrase (the caller wipes the array after use), or null when it is unknown
     */
    char @Nullable [] passphrase(Machine machine, Path key);
}

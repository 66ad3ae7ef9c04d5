package dev.portoser.secret;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A secret value. Its {@link #toString()} never shows the value, and it has no {@code equals} that could be used
 * to probe it; the only way to the value is {@link #reveal()}, which the deployer calls when it writes the
 * service's 0600 environment file. Instances are immutable and thread-safe.
 */
public final class Secret {
    private final String value;
    private final @Nullable String version;

    /**
     * A secret.
     *
     * @param value the value; must not be null
     * @param version the provider's version of it (Vault's KV version, say), or null when it has none
     */
    public Secret(String value, @Nullable String version) {
        this.value = Objects.requireNonNull(value, "value == null");
        this.version = version;
    }

    /**
     * The value. Call it only to hand the value to the service; never log it.
     *
     * @return the value
     */
    public String reveal() {
        return value;
    }

    /**
     * The provider's version of this secret, if it has one.
     *
     * @return the provider's version of this secret, if it has one
     */
    public @Nullable String version() {
        return version;
    }

    /** {@code Secret[***]} (with the version when there is one); never the value. */
    @Override
    public String toString() {
        return version == null ? "Secret[***]" : "Secret[***, version " + version + "]";
    }
}

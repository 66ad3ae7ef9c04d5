package dev.portoser.registry;

import dev.portoser.registry.internal.YamlWords;
import java.util.Locale;
import java.util.Optional;

/** How an HTTP or TCP health check reaches a service's port ({@code health.via}). */
public enum HealthVia {
    /** From the controller straight to the machine's host and port (the default). */
    DIRECT,
    /** Through the machine's SSH connection, to the port on the machine's loopback: for loopback-only services. */
    SSH;

    /**
     * The word used in {@code registry.yml}: {@code direct} or {@code ssh}.
     *
     * @return the word used in {@code registry.yml}: {@code direct} or {@code ssh}
     */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Finds the value a registry word names, ignoring case.
     *
     * @param word the word from the registry; must not be null
     * @return the value, or empty when the word names none
     */
    public static Optional<HealthVia> fromYaml(String word) {
        return YamlWords.enumConstant(HealthVia.class, word);
    }
}

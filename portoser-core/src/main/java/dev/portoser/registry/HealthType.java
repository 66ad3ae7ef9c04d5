package dev.portoser.registry;

import dev.portoser.registry.internal.YamlWords;
import java.util.Locale;
import java.util.Optional;

/** The kind of check that tells whether a service is healthy. */
public enum HealthType {
    /** An HTTP GET of {@code endpoint} that must answer {@code expected_status}. */
    HTTP,
    /** A TCP connection to {@code port} that must be accepted. */
    TCP,
    /** The process named by {@code pid_file} must be alive. */
    PROCESS;

    /**
     * The word used in {@code registry.yml}: {@code http}, {@code tcp} or {@code process}.
     *
     * @return the word used in {@code registry.yml}: {@code http}, {@code tcp} or {@code process}
     */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Finds the health type a registry word names, ignoring case.
     *
     * @param word the word from the registry; must not be null
     * @return the type, or empty when the word names none
     */
    public static Optional<HealthType> fromYaml(String word) {
        return YamlWords.enumConstant(HealthType.class, word);
    }
}

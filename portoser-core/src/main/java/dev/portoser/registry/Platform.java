package dev.portoser.registry;

import dev.portoser.registry.internal.YamlWords;
import java.util.Locale;
import java.util.Optional;

/** The operating system family of a machine, which decides how native services are installed. */
public enum Platform {
    /** macOS: launchd. */
    DARWIN,
    /** Linux: systemd. */
    LINUX,
    /** FreeBSD and friends: rc.d. */
    BSD;

    /**
     * The word used in {@code registry.yml}: {@code darwin}, {@code linux} or {@code bsd}.
     *
     * @return the word used in {@code registry.yml}: {@code darwin}, {@code linux} or {@code bsd}
     */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Finds the platform a registry word names, ignoring case.
     *
     * @param word the word from the registry; must not be null
     * @return the platform, or empty when the word names none
     */
    public static Optional<Platform> fromYaml(String word) {
        return YamlWords.enumConstant(Platform.class, word);
    }
}

package dev.portoser.registry;

import dev.portoser.registry.internal.YamlWords;
import java.util.Locale;
import java.util.Optional;

/** How a service is run, and so what "deploy" means for it. */
public enum ServiceType {
    /** A Docker Compose project in the service's {@code path}. */
    DOCKER,
    /** A process started detached from {@code command}, with a PID file and a log file. */
    LOCAL,
    /** A unit of the machine's service manager (systemd, launchd, rc.d) generated from the registry. */
    NATIVE;

    /**
     * The word used in {@code registry.yml}: {@code docker}, {@code local} or {@code native}.
     *
     * @return the word used in {@code registry.yml}: {@code docker}, {@code local} or {@code native}
     */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Finds the type a registry word names, ignoring case.
     *
     * @param word the word from the registry; must not be null
     * @return the type, or empty when the word names none
     */
    public static Optional<ServiceType> fromYaml(String word) {
        return YamlWords.enumConstant(ServiceType.class, word);
    }
}

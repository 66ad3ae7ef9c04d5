package dev.portoser.registry.internal;

import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts Hibernate Validator without its {@code HV000001} version line. Through JBoss Logging that line reaches
 * java.util.logging (the default when the host has no JBoss LogManager, Log4j 2 or Logback), which prints INFO on
 * stderr: every program that loads a registry would show it. The line is logged once per JVM, while the validator
 * starts; for just that moment its one logger is set to WARNING, then put back. A host that configured that logger
 * or one of its parents itself keeps what it chose, and its global java.util.logging setup is never changed.
 */
final class QuietStart {
    /** Hibernate Validator's logger of the version line. */
    static final String VERSION_LOGGER = "org.hibernate.validator.internal.util.Version";

    private QuietStart() {
    }

    static <T> T run(Supplier<T> start) {
        Logger logger = Logger.getLogger(VERSION_LOGGER);
        boolean quiet = notConfigured(logger);
        if (quiet) {
            logger.setLevel(Level.WARNING);
        }
        try {
            return start.get();
        } finally {
            if (quiet) {
                logger.setLevel(null);
            }
        }
    }

    /** Whether neither the logger nor a parent below the root logger has a level of the host's choosing. */
    private static boolean notConfigured(Logger logger) {
        for (Logger l = logger; l != null && l.getParent() != null; l = l.getParent()) {
            if (l.getLevel() != null) {
                return false;
            }
        }
        return true;
    }
}

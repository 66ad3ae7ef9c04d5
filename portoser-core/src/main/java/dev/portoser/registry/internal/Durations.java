package dev.portoser.registry.internal;

import java.time.Duration;

/** Short, human forms of durations for messages ({@code 30s}, {@code 500ms}, {@code -5s}). */
public final class Durations {
    private Durations() {
    }

    /**
     * The duration in the registry's own notation.
     *
     * @param d the duration; must not be null
     * @return {@code 500ms}, {@code 30s} or, for sub-millisecond values, {@code 250us}
     */
    public static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos % 1_000_000_000L == 0) {
            return (nanos / 1_000_000_000L) + "s";
        }
        if (nanos % 1_000_000L == 0) {
            return (nanos / 1_000_000L) + "ms";
        }
        return (nanos / 1_000L) + "us";
    }
}

package dev.portoser.heal;

/**
 * Hears every {@link HealEvent}. Called on the healing thread, in order; must be fast and must not throw (an
 * exception is logged and ignored).
 */
@FunctionalInterface
public interface HealListener {
    /** Ignores everything. */
    HealListener NONE = e -> { };

    /**
     * Something was seen or done.
     *
     * @param event what
     */
    void event(HealEvent event);
}

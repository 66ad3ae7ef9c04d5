package dev.portoser.health;

import java.time.Duration;

/**
 * Hears what the {@link HealthMonitor} sees. Calls come one at a time, in order, on the monitor's event thread, so
 * an implementation needs no locking of its own but must not block for long; an exception it throws is logged and
 * ignored.
 */
public interface HealthListener {

    /**
     * A service changed state.
     *
     * @param transition what changed
     */
    void transition(HealthTransition transition);

    /**
     * A check ended (every check, not only those that changed a state). Nothing by default.
     *
     * @param service the service's name
     * @param result what it saw
     * @param lateness how long after its scheduled time the check began (zero for a check asked for at once)
     */
    default void checked(String service, HealthResult result, Duration lateness) {
    }
}

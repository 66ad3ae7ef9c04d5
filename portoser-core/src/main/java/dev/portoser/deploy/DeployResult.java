package dev.portoser.deploy;

import java.util.Objects;

/**
 * What a deploy did. Instances are immutable and thread-safe.
 *
 * @param change whether anything changed on the machine
 * @param detail what was done, in words (for example "started 4711", "already running this configuration")
 */
public record DeployResult(Change change, String detail) {

    /** Whether a deploy changed what runs. */
    public enum Change {
        /** It already ran exactly this configuration; nothing was touched. */
        UNCHANGED,
        /** It was not running and was started. */
        STARTED,
        /** It ran another configuration and was restarted (or recreated) with this one. */
        RESTARTED
    }

    /**
     * Checks the components.
     *
     * @param change the change
     * @param detail the detail
     */
    public DeployResult {
        Objects.requireNonNull(change, "change == null");
        Objects.requireNonNull(detail, "detail == null");
    }

    /**
     * Whether anything changed on the machine.
     *
     * @return whether anything changed on the machine
     */
    public boolean changed() {
        return change != Change.UNCHANGED;
    }
}

package dev.portoser.exec;

/** How a step ended. */
public enum StepOutcome {
    /** It did what it should, and the service is healthy (or has no health check). */
    SUCCEEDED,
    /** It failed; the service may be down. */
    FAILED,
    /** The new version failed its health gate and the last healthy version was deployed again. */
    FAILED_REVERTED,
    /** It did not run because a step it waits for did not succeed (or fail-fast stopped the run). */
    SKIPPED,
    /** The run was cancelled before or while it ran. */
    CANCELLED;

    /**
     * Whether this outcome counts as success.
     *
     * @return whether this outcome counts as success
     */
    public boolean isSuccess() {
        return this == SUCCEEDED;
    }
}

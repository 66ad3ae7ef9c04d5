package dev.portoser.exec;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** A run in progress: wait for it, or cancel it (steps not started are CANCELLED; running ones are interrupted). */
public final class RunHandle {
    private final CompletableFuture<RunResult> result;
    private final AtomicBoolean cancelled;

    RunHandle(CompletableFuture<RunResult> result, AtomicBoolean cancelled) {
        this.result = result;
        this.cancelled = cancelled;
    }

    /**
     * The result, when the run ends.
     *
     * @return the result, when the run ends
     */
    public CompletableFuture<RunResult> result() {
        return result;
    }

    /** Asks the run to stop; idempotent. */
    public void cancel() {
        cancelled.set(true);
    }

    /**
     * Whether {@link #cancel()} was called.
     *
     * @return whether {@link #cancel()} was called
     */
    public boolean isCancelled() {
        return cancelled.get();
    }
}

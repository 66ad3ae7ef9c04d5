package dev.portoser.exec;

import dev.portoser.plan.Step;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One step's outcome with its evidence. Instances are immutable and thread-safe.
 *
 * @param step the step
 * @param outcome how it ended
 * @param duration how long it ran (zero for steps that never started)
 * @param detail why: the health result, the error, or the step that made it skip
 * @param exitCode the exit code of the command that failed, or null
 * @param outputTail the last lines of that command's output, or empty
 */
public record StepResult(Step step, StepOutcome outcome, Duration duration, String detail, @Nullable Integer exitCode,
                         String outputTail) {

    /**
     * Checks the components.
     *
     * @param step the step
     * @param outcome the outcome
     * @param duration the duration
     * @param detail the detail
     * @param outputTail the output tail
     * @param exitCode the exit code
     */
    public StepResult {
        Objects.requireNonNull(step, "step == null");
        Objects.requireNonNull(outcome, "outcome == null");
        Objects.requireNonNull(duration, "duration == null");
        Objects.requireNonNull(detail, "detail == null");
        Objects.requireNonNull(outputTail, "outputTail == null");
    }

    static StepResult notRun(Step step, StepOutcome outcome, String detail) {
        return new StepResult(step, outcome, Duration.ZERO, detail, null, "");
    }
}

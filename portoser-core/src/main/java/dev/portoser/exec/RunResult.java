package dev.portoser.exec;

import dev.portoser.state.JournalEntry;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a run did: one result per step of the plan, in plan order. Instances are immutable and thread-safe.
 *
 * @param runId the run's id (also in history and the journal)
 * @param steps one result per step, in plan order
 * @param duration wall time of the run
 * @param recovered steps a previous, dead controller left in flight, found and reconciled before this run
 * @param warnings what went wrong beside the steps, in words: history or journal that could not be written (the
 *     steps' outcomes on the machines stand), state files that could not be read and were set aside
 */
public record RunResult(String runId, List<StepResult> steps, Duration duration, List<JournalEntry> recovered,
                        List<String> warnings) {

    /**
     * Copies the lists.
     *
     * @param runId the run id
     * @param steps the steps
     * @param recovered the journal entries of interrupted runs, recovered first
     * @param warnings the warnings
     * @param duration the duration
     */
    public RunResult {
        Objects.requireNonNull(runId, "runId == null");
        steps = List.copyOf(steps);
        recovered = List.copyOf(recovered);
        warnings = List.copyOf(warnings);
    }

    /**
     * A result without warnings.
     *
     * @param runId the run's id
     * @param steps one result per step
     * @param duration wall time
     * @param recovered steps of a dead controller that were reconciled
     */
    public RunResult(String runId, List<StepResult> steps, Duration duration, List<JournalEntry> recovered) {
        this(runId, steps, duration, recovered, List.of());
    }

    /**
     * Whether every step succeeded.
     *
     * @return whether every step succeeded
     */
    public boolean succeeded() {
        return steps.stream().allMatch(s -> s.outcome().isSuccess());
    }

    /**
     * The result of a step by id.
     *
     * @param id the id
     * @return the result of a step by id
     */
    public Optional<StepResult> step(String id) {
        return steps.stream().filter(s -> s.step().id().equals(id)).findFirst();
    }

    /**
     * The result of the step acting on a service (the first, for a move).
     *
     * @param name the name
     * @return the result of the step acting on a service (the first, for a move)
     */
    public Optional<StepResult> service(String name) {
        return steps.stream().filter(s -> s.step().service().equals(name)).findFirst();
    }

    /**
     * A line per step: outcome, service, machine, duration, detail.
     *
     * @return a line per step: outcome, service, machine, duration, detail
     */
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (StepResult s : steps) {
            sb.append(String.format("%-15s %-8s %-20s %-12s %6.1fs  %s%n", s.outcome(), s.step().action(),
                    s.step().service(), s.step().machine(), s.duration().toMillis() / 1000.0, s.detail()));
        }
        return sb.toString();
    }
}

package dev.portoser.exec;

import dev.portoser.plan.Plan;
import dev.portoser.plan.Step;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches the steps of one plan: each starts as soon as every step it waits for has succeeded, within the
 * global and per-machine limits (no lock-step waves). A step that does not succeed skips the steps that wait for
 * it, transitively; independent branches go on, unless fail-fast stops dispatching. Cancelling stops dispatching
 * and interrupts the running steps. It knows nothing of machines, locks or deployers: a step is whatever
 * {@link StepWork} does with it, so it is tested with fakes. One run's state: {@link #run} is called once.
 */
final class StepScheduler {
    private static final Logger LOG = LoggerFactory.getLogger(StepScheduler.class);

    /** What running one step means; never throws for the step's own failures. */
    @FunctionalInterface
    interface StepWork {
        StepResult run(Step step);
    }

    private final ExecutorService workers;
    private final int parallelism;
    private final int perMachine;
    private final boolean failFast;
    private final AtomicBoolean cancelled;
    private final ExecutionListener listener;
    private final Map<String, StepResult> results;

    /**
     * @param workers where steps run
     * @param parallelism steps at once in all
     * @param perMachine steps at once on one machine
     * @param failFast whether the first failure stops dispatching
     * @param cancelled set to cancel the run
     * @param listener told of the steps that never ran (skipped, cancelled)
     * @param results where results go as they are known (thread-safe: steps read it while the run goes on)
     */
    StepScheduler(ExecutorService workers, int parallelism, int perMachine, boolean failFast, AtomicBoolean cancelled,
                  ExecutionListener listener, Map<String, StepResult> results) {
        this.workers = workers;
        this.parallelism = parallelism;
        this.perMachine = perMachine;
        this.failFast = failFast;
        this.cancelled = cancelled;
        this.listener = listener;
        this.results = results;
    }

    /**
     * Runs every step of the plan, or says why it did not run.
     *
     * @param plan the plan
     * @param work runs one step
     * @return one result per step, in the plan's order
     */
    List<StepResult> run(Plan plan, StepWork work) {
        Map<String, Step> byId = new LinkedHashMap<>();
        Map<String, Integer> pending = new HashMap<>();
        Map<String, List<String>> waiters = new HashMap<>();
        for (Step s : plan.steps()) {
            byId.put(s.id(), s);
            pending.put(s.id(), s.waitsFor().size());
            for (String before : s.waitsFor()) {
                waiters.computeIfAbsent(before, k -> new ArrayList<>()).add(s.id());
            }
        }
        List<Step> ready = new ArrayList<>(plan.steps().stream().filter(s -> s.waitsFor().isEmpty()).toList());
        Map<String, Integer> runningPerMachine = new HashMap<>();
        Map<String, Future<?>> running = new HashMap<>();
        LinkedBlockingQueue<StepResult> finished = new LinkedBlockingQueue<>();
        boolean stopDispatching = false;
        while (results.size() < byId.size()) {
            if (cancelled.get() && !stopDispatching) {
                stopDispatching = true;
                running.values().forEach(f -> f.cancel(true));
            }
            if (stopDispatching) {
                for (Step s : List.copyOf(ready)) {
                    finish(s, StepResult.notRun(s, cancelled.get() ? StepOutcome.CANCELLED : StepOutcome.SKIPPED,
                            cancelled.get() ? "the run was cancelled" : "fail-fast: an earlier step failed"), waiters,
                            byId, ready);
                }
                ready.clear();
            }
            for (Step s : List.copyOf(ready)) {
                if (running.size() >= parallelism) {
                    break;
                }
                if (runningPerMachine.getOrDefault(s.machine(), 0) >= perMachine) {
                    continue;
                }
                ready.remove(s);
                runningPerMachine.merge(s.machine(), 1, Integer::sum);
                running.put(s.id(), workers.submit(() -> {
                    StepResult r;
                    try {
                        r = work.run(s);
                    } catch (RuntimeException | Error e) {
                        LOG.debug("step {} failed unexpectedly", s.id(), e);
                        r = new StepResult(s, StepOutcome.FAILED, Duration.ZERO, "unexpected failure: "
                                + dev.portoser.ErrorMessages.describe(e), null, "");
                    }
                    finished.add(r);
                }));
            }
            if (running.isEmpty() && ready.isEmpty() && results.size() < byId.size()) {
                // Nothing can start: whatever is left waits for steps that will never succeed.
                for (Step s : byId.values()) {
                    if (!results.containsKey(s.id())) {
                        finish(s, StepResult.notRun(s, StepOutcome.SKIPPED, "a step it waits for did not succeed"),
                                waiters, byId, ready);
                    }
                }
                break;
            }
            StepResult done;
            try {
                done = finished.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancelled.set(true);
                continue;
            }
            if (done == null) {
                continue;
            }
            running.remove(done.step().id());
            runningPerMachine.merge(done.step().machine(), -1, Integer::sum);
            finish(done.step(), done, waiters, byId, ready);
            if (done.outcome().isSuccess()) {
                for (String w : waiters.getOrDefault(done.step().id(), List.of())) {
                    if (pending.merge(w, -1, Integer::sum) == 0 && !results.containsKey(w)) {
                        ready.add(byId.get(w));
                    }
                }
            } else if (failFast) {
                stopDispatching = true;
            }
        }
        return plan.steps().stream().map(s -> results.get(s.id())).toList();
    }

    /** Records a result; a failure skips every step that (transitively) waits for it. */
    private void finish(Step step, StepResult result, Map<String, List<String>> waiters, Map<String, Step> byId,
                        List<Step> ready) {
        if (results.putIfAbsent(step.id(), result) != null) {
            return;
        }
        if (result.outcome() == StepOutcome.SKIPPED || result.outcome() == StepOutcome.CANCELLED
                || !result.outcome().isSuccess()) {
            if (result.duration().isZero()) {
                listener.stepEnded(result);
            }
            for (String w : waiters.getOrDefault(step.id(), List.of())) {
                Step waiter = byId.get(w);
                ready.remove(waiter);
                StepOutcome outcome = result.outcome() == StepOutcome.CANCELLED ? StepOutcome.CANCELLED
                        : StepOutcome.SKIPPED;
                finish(waiter, StepResult.notRun(waiter, outcome, "skipped: " + step.id() + " "
                        + result.outcome().name().toLowerCase(Locale.ROOT)), waiters, byId, ready);
            }
        }
    }
}

package dev.portoser.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.plan.Plan;
import dev.portoser.plan.Planner;
import dev.portoser.plan.Step;
import dev.portoser.registry.Registry;
import dev.portoser.transport.internal.DaemonThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scheduler alone, with fake steps: order, limits, skipping, fail-fast and cancelling, no machine involved. */
class StepSchedulerTest {
    private final ExecutorService workers = DaemonThreads.cachedPool("scheduler-test");
    private final List<String> started = Collections.synchronizedList(new ArrayList<>());
    private final List<String> notRun = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean cancelled = new AtomicBoolean();

    @AfterEach
    void stop() {
        workers.shutdownNow();
    }

    /** db <- api <- web on m1, report on m2 (independent). */
    private static Registry chain() {
        return Registry.parse("""
                machines:
                  m1: {host: localhost, user: u, platform: linux}
                  m2: {host: localhost, user: u, platform: linux}
                services:
                  db: {type: local, path: /srv/db, machine: m1, command: "exec db"}
                  api: {type: local, path: /srv/api, machine: m1, command: "exec api", depends_on: [db]}
                  web: {type: local, path: /srv/web, machine: m1, command: "exec web", depends_on: [api]}
                  report: {type: local, path: /srv/report, machine: m2, command: "exec report"}
                """);
    }

    private StepScheduler scheduler(int parallelism, int perMachine, boolean failFast) {
        ExecutionListener listener = new ExecutionListener() {
            @Override
            public void stepEnded(StepResult result) {
                notRun.add(result.step().service() + ":" + result.outcome());
            }
        };
        return new StepScheduler(workers, parallelism, perMachine, failFast, cancelled, listener,
                new ConcurrentHashMap<>());
    }

    private StepScheduler.StepWork work(Function<Step, StepOutcome> outcome) {
        return step -> {
            started.add(step.service());
            return new StepResult(step, outcome.apply(step), Duration.ofMillis(1), "fake", null, "");
        };
    }

    private static Map<String, StepOutcome> outcomes(List<StepResult> results) {
        Map<String, StepOutcome> m = new java.util.LinkedHashMap<>();
        results.forEach(r -> m.put(r.step().service(), r.outcome()));
        return m;
    }

    /** Waits until {@code n} more steps have started (each start releases one permit), within a bound. */
    private static void awaitStarts(Semaphore starts, int n) throws InterruptedException {
        assertThat(starts.tryAcquire(n, 20, TimeUnit.SECONDS)).as(n + " more steps started").isTrue();
    }

    @Test
    void aStepStartsOnlyAfterWhatItWaitsForSucceededAndEveryResultIsInThePlansOrder() {
        Plan plan = Planner.of(chain()).all();
        List<StepResult> results = scheduler(Integer.MAX_VALUE, 8, false).run(plan, work(s -> StepOutcome.SUCCEEDED));
        assertThat(results).extracting(r -> r.step().id()).containsExactlyElementsOf(
                plan.steps().stream().map(Step::id).toList());
        assertThat(started.indexOf("db")).isLessThan(started.indexOf("api"));
        assertThat(started.indexOf("api")).isLessThan(started.indexOf("web"));
        assertThat(notRun).isEmpty();
    }

    @Test
    void aFailureSkipsWhatWaitsForItTransitivelyWhileAnIndependentBranchFinishes() {
        List<StepResult> results = scheduler(Integer.MAX_VALUE, 8, false).run(Planner.of(chain()).all(),
                work(s -> s.service().equals("db") ? StepOutcome.FAILED : StepOutcome.SUCCEEDED));
        assertThat(outcomes(results)).containsEntry("db", StepOutcome.FAILED).containsEntry("api", StepOutcome.SKIPPED)
                .containsEntry("web", StepOutcome.SKIPPED).containsEntry("report", StepOutcome.SUCCEEDED);
        assertThat(started).doesNotContain("api", "web");
        assertThat(results.stream().filter(r -> r.step().service().equals("web")).findFirst().orElseThrow().detail())
                .isEqualTo("skipped: deploy:api@m1 skipped");
        assertThat(notRun).contains("api:SKIPPED", "web:SKIPPED"); // the listener hears of steps that never ran
    }

    @Test
    void noMoreStepsRunAtOnceOnAMachineThanItsLimitAndFreedSlotsAreFilledAtOnce() throws Exception {
        StringBuilder yaml = new StringBuilder("machines:\n  m1: {host: localhost, user: u, platform: linux}\n"
                + "services:\n");
        for (int i = 0; i < 5; i++) {
            yaml.append("  s").append(i).append(": {type: local, path: /srv, machine: m1, command: \"exec s\"}\n");
        }
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Semaphore finish = new Semaphore(0);
        Semaphore starts = new Semaphore(0);
        StepScheduler.StepWork blocking = step -> {
            started.add(step.service());
            starts.release();
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            finish.acquireUninterruptibly();
            running.decrementAndGet();
            return new StepResult(step, StepOutcome.SUCCEEDED, Duration.ofMillis(1), "fake", null, "");
        };
        Plan plan = Planner.of(Registry.parse(yaml.toString())).all();
        var run = java.util.concurrent.CompletableFuture.supplyAsync(() -> scheduler(Integer.MAX_VALUE, 2, false)
                .run(plan, blocking));
        awaitStarts(starts, 2); // the limit fills
        for (int done = 0; done < 5; done++) {
            finish.release(); // one ends: the next starts in its slot
            if (done < 3) {
                awaitStarts(starts, 1);
            }
        }
        assertThat(run.get(20, TimeUnit.SECONDS)).allMatch(r -> r.outcome() == StepOutcome.SUCCEEDED);
        assertThat(most.get()).isEqualTo(2);
    }

    @Test
    void failFastStopsDispatchingAfterTheFirstFailure() {
        List<StepResult> results = scheduler(1, 1, true).run(Planner.of(chain()).deploy("db", "report"),
                work(s -> StepOutcome.FAILED));
        assertThat(started).hasSize(1);
        assertThat(results).extracting(StepResult::outcome).containsExactlyInAnyOrder(StepOutcome.FAILED,
                StepOutcome.SKIPPED);
        assertThat(results).filteredOn(r -> r.outcome() == StepOutcome.SKIPPED).extracting(StepResult::detail)
                .containsExactly("fail-fast: an earlier step failed");
    }

    @Test
    void cancellingInterruptsTheRunningStepAndCancelsWhatHasNotStarted() throws Exception {
        AtomicBoolean interrupted = new AtomicBoolean();
        Semaphore starts = new Semaphore(0);
        StepScheduler.StepWork waits = step -> {
            started.add(step.service());
            starts.release();
            try {
                new Semaphore(0).acquire(); // until interrupted
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
            return new StepResult(step, StepOutcome.CANCELLED, Duration.ofMillis(1), "cancelled while running", null,
                    "");
        };
        var run = java.util.concurrent.CompletableFuture.supplyAsync(() -> scheduler(Integer.MAX_VALUE, 8, false)
                .run(Planner.of(chain()).deploy("web"), waits));
        awaitStarts(starts, 1); // db runs
        assertThat(started).containsExactly("db");
        cancelled.set(true);
        Map<String, StepOutcome> outcomes = outcomes(run.get(20, TimeUnit.SECONDS));
        assertThat(interrupted).isTrue();
        assertThat(outcomes).containsEntry("db", StepOutcome.CANCELLED).containsEntry("api", StepOutcome.CANCELLED)
                .containsEntry("web", StepOutcome.CANCELLED);
        assertThat(started).containsExactly("db");
    }
}

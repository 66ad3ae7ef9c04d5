package dev.portoser.exec;

import dev.portoser.health.HealthResult;
import dev.portoser.plan.Plan;
import dev.portoser.plan.Step;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Shows a run as it goes. On a terminal: one live line per service (state and elapsed time) and a progress bar,
 * redrawn in place; otherwise plain lines, one per event, fit for logs. Writes to the writer it is given (never
 * to {@code System.out} by itself). Thread-safe.
 */
public final class ConsoleProgress extends ExecutionListener {
    private final PrintWriter out;
    private final boolean terminal;
    private final Map<String, String> states = new LinkedHashMap<>();
    private final Map<String, Long> started = new LinkedHashMap<>();
    private int total;
    private int done;
    private int drawnLines;

    /**
     * A progress view.
     *
     * @param out where to write
     * @param terminal whether {@code out} is a terminal (live redrawing) or not (plain lines)
     */
    public ConsoleProgress(PrintWriter out, boolean terminal) {
        this.out = Objects.requireNonNull(out, "out == null");
        this.terminal = terminal;
    }

    @Override
    public synchronized void runStarted(String runId, Plan plan) {
        total = plan.steps().size();
        for (Step s : plan.steps()) {
            states.put(s.id(), "waiting");
        }
        if (!terminal) {
            out.println("run " + runId + ": " + plan.action().name().toLowerCase(Locale.ROOT) + " " + plan.scope()
                    + " (" + total + " steps)");
        }
        draw();
    }

    @Override
    public synchronized void stepStarted(Step step) {
        started.put(step.id(), System.nanoTime());
        update(step, "running", step.action() + " " + step.service() + " on " + step.machine() + " ...");
    }

    @Override
    public synchronized void lockWaiting(Step step, String holder) {
        update(step, "waiting for lock", step.service() + ": waiting for the lock held by " + holder);
    }

    @Override
    public synchronized void healthChecked(Step step, String service, HealthResult result) {
        update(step, result.isHealthy() ? "healthy" : "not healthy",
                service + ": " + result.status().name().toLowerCase(Locale.ROOT) + " (" + result.detail() + ")");
    }

    @Override
    public synchronized void rollbackStarted(Step step, String toRecordId) {
        update(step, "rolling back", step.service() + ": not healthy; rolling back to " + toRecordId);
    }

    @Override
    public synchronized void stepEnded(StepResult result) {
        done++;
        update(result.step(), result.outcome().name().toLowerCase(Locale.ROOT), String.format(Locale.ROOT,
                "%s %s on %s: %s in %.1fs - %s", result.step().action(), result.step().service(),
                result.step().machine(), result.outcome(), result.duration().toMillis() / 1000.0, result.detail()));
    }

    @Override
    public synchronized void runEnded(RunResult result) {
        if (terminal) {
            draw();
        }
        long ok = result.steps().stream().filter(s -> s.outcome().isSuccess()).count();
        out.printf(Locale.ROOT, "%s: %d of %d steps succeeded in %.1fs%n", result.succeeded() ? "done" : "FAILED", ok,
                result.steps().size(), result.duration().toMillis() / 1000.0);
        out.flush();
    }

    private void update(Step step, String state, String line) {
        states.put(step.id(), state);
        if (terminal) {
            draw();
        } else {
            out.println(line);
            out.flush();
        }
    }

    /** Redraws every line in place: moves the cursor up over the previous drawing, then rewrites it. */
    private void draw() {
        if (!terminal) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        if (drawnLines > 0) {
            sb.append("\u001b[").append(drawnLines).append('F');
        }
        int lines = 0;
        for (Map.Entry<String, String> e : states.entrySet()) {
            Long since = started.get(e.getKey());
            String elapsed = since == null ? "" : String.format(Locale.ROOT, "%5.1fs",
                    (System.nanoTime() - since) / 1e9);
            sb.append("\u001b[2K").append(String.format(Locale.ROOT, "  %-32s %-16s %s", e.getKey(), e.getValue(),
                    elapsed)).append('\n');
            lines++;
        }
        int width = 30;
        int filled = total == 0 ? width : done * width / total;
        sb.append("\u001b[2K[").append("#".repeat(filled)).append(" ".repeat(width - filled)).append("] ")
                .append(done).append('/').append(total).append('\n');
        drawnLines = lines + 1;
        out.print(sb);
        out.flush();
    }
}

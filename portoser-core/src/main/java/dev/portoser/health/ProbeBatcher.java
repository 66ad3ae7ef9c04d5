package dev.portoser.health;

import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportException;
import dev.portoser.transport.TransportTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gathers the {@link BatchableCheck}s due on one machine within a short window and runs them as one command, one
 * command at a time per machine (what comes due while one runs goes into the next): each kind of script is defined
 * once as a shell function and called per check, in a subshell, with its own positional arguments; its output is
 * framed by a start line and an end line carrying its exit status. Thread-safe. Not API.
 */
final class ProbeBatcher {
    private record Item(BatchableCheck check, HealthTarget target, CompletableFuture<HealthResult> result) {
    }

    private final Transport transport;
    private final ScheduledExecutorService scheduler;
    private final Executor workers;
    private final Duration window;
    private final AtomicLong commands = new AtomicLong();
    private List<Item> pending = new ArrayList<>();
    private boolean armed;
    private boolean running;

    ProbeBatcher(Transport transport, ScheduledExecutorService scheduler, Executor workers, Duration window) {
        this.transport = transport;
        this.scheduler = scheduler;
        this.workers = workers;
        this.window = window;
    }

    /** How many commands this batcher has run. */
    long commands() {
        return commands.get();
    }

    CompletableFuture<HealthResult> submit(BatchableCheck check, HealthTarget target) {
        Item item = new Item(check, target, new CompletableFuture<>());
        boolean arm;
        synchronized (this) {
            pending.add(item);
            arm = !armed;
            armed = true;
        }
        if (arm) {
            try {
                scheduler.schedule(this::flush, window.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                flush();
            }
        }
        return item.result;
    }

    /** Starts a command for what is pending, unless one runs: then its end starts the next. */
    private void flush() {
        List<Item> items;
        synchronized (this) {
            armed = false;
            if (running || pending.isEmpty()) {
                return;
            }
            items = pending;
            pending = new ArrayList<>();
            running = true;
        }
        try {
            workers.execute(() -> {
                try {
                    run(items);
                } finally {
                    synchronized (this) {
                        running = false;
                    }
                    flush(); // what arrived meanwhile has waited at least as long as the window
                }
            });
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                running = false;
            }
            long start = System.nanoTime();
            items.forEach(i -> i.result.complete(HealthResult.unhealthy("the check was not run: shutting down", start)));
        }
    }

    private void run(List<Item> items) {
        long start = System.nanoTime();
        Map<String, String> functions = new LinkedHashMap<>();
        StringBuilder script = new StringBuilder();
        List<String> arguments = new ArrayList<>();
        Duration timeout = Duration.ZERO;
        Map<Item, String> calls = new IdentityHashMap<>();
        for (Item item : items) {
            String fn = functions.computeIfAbsent(item.check.script(), s -> "portoser_check_" + functions.size());
            StringBuilder call = new StringBuilder(fn);
            try {
                for (String argument : item.check.arguments(item.target)) {
                    arguments.add(argument);
                    call.append(" \"${").append(arguments.size()).append("}\"");
                }
            } catch (RuntimeException e) {
                item.result.complete(HealthResult.unhealthy("the check failed: " + Checks.reason(e), start));
                continue;
            }
            calls.put(item, call.toString());
            timeout = item.check.timeout().compareTo(timeout) > 0 ? item.check.timeout() : timeout;
        }
        if (calls.isEmpty()) {
            return;
        }
        functions.forEach((text, fn) -> script.append(fn).append("() {\n").append(text).append("\n}\n"));
        // One fork per check (the subshell that keeps a script's exit from ending the batch), no pipes.
        script.append("portoser_run() { n=$1; shift; printf '\\036%s\\n' \"$n\"; (\"$@\") 2>&1; e=$?; ")
                .append("printf '\\n\\037%s %s\\n' \"$n\" \"$e\"; }\n");
        List<Item> order = new ArrayList<>();
        for (Item item : items) {
            String call = calls.get(item);
            if (call != null) {
                script.append("portoser_run ").append(order.size()).append(' ').append(call).append('\n');
                order.add(item);
            }
        }
        String machine = transport.machine().name();
        CommandResult r;
        try {
            commands.incrementAndGet();
            r = transport.exec(Command.script(script.toString(), arguments.toArray(String[]::new)).timeout(timeout));
        } catch (TransportTimeoutException e) {
            String detail = "the check on " + machine + " timed out after " + Checks.human(timeout)
                    + (order.size() > 1 ? " (run together with " + (order.size() - 1) + " others)" : "");
            order.forEach(i -> i.result.complete(HealthResult.unhealthy(detail, start)));
            return;
        } catch (TransportException e) {
            String detail = "cannot reach " + machine + ": " + e.getMessage();
            order.forEach(i -> i.result.complete(HealthResult.unhealthy(detail, start)));
            return;
        } catch (RuntimeException e) {
            String detail = "the check on " + machine + " failed: " + Checks.reason(e);
            order.forEach(i -> i.result.complete(HealthResult.unhealthy(detail, start)));
            return;
        }
        Duration latency = Duration.ofNanos(System.nanoTime() - start);
        Map<Integer, String[]> lines = new HashMap<>();
        StringBuilder output = null;
        for (String line : r.stdout().split("\n", -1)) {
            if (line.startsWith("\036")) {
                output = new StringBuilder();
            } else if (line.startsWith("\037")) {
                String[] end = line.substring(1).split(" ");
                if (end.length == 2 && end[0].matches("\\d{1,9}") && end[1].matches("\\d{1,3}")) {
                    lines.put(Integer.parseInt(end[0]), new String[] {end[0], end[1],
                            output == null ? "" : output.toString().strip()});
                }
                output = null;
            } else if (output != null) {
                output.append(output.length() > 0 ? " " : "").append(line.strip());
            }
        }
        for (int n = 0; n < order.size(); n++) {
            Item item = order.get(n);
            String[] line = lines.get(n);
            if (line == null) {
                item.result.complete(new HealthResult(HealthStatus.UNHEALTHY, "the check on " + machine
                        + " gave no answer (exit status " + r.exitCode() + ")", latency));
            } else {
                try {
                    item.result.complete(item.check.interpret(Integer.parseInt(line[1]),
                            line.length > 2 ? line[2] : "", latency));
                } catch (RuntimeException e) {
                    item.result.complete(new HealthResult(HealthStatus.UNHEALTHY, "the check failed: "
                            + Checks.reason(e), latency));
                }
            }
        }
    }
}

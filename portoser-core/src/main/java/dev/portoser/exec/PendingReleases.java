package dev.portoser.exec;

import dev.portoser.ErrorMessages;
import dev.portoser.registry.Machine;
import dev.portoser.state.LockManager;
import dev.portoser.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The locks of finished steps, released off the critical path: by the next step's first command on the same
 * machine (in its round trip), else together in one command shortly after, and at the latest when the run ends.
 * A release is harmless when the lock is no longer ours: the machine checks the owner. Thread-safe.
 */
final class PendingReleases {
    private static final Logger LOG = LoggerFactory.getLogger(PendingReleases.class);

    private record Entry(Machine machine, Set<String> services) {
    }

    private final Map<String, Entry> pending = new LinkedHashMap<>();
    private final LockManager locks;
    private final Function<Machine, Transport> open;
    private final ScheduledExecutorService timer;
    private final ExecutorService workers;
    private final Duration delay;

    /**
     * @param locks the controller's locks
     * @param open opens a transport to a machine
     * @param timer schedules the flush after {@code delay}
     * @param workers runs the flushes
     * @param delay how long a release may wait for a next command to travel with
     */
    PendingReleases(LockManager locks, Function<Machine, Transport> open, ScheduledExecutorService timer,
                    ExecutorService workers, Duration delay) {
        this.locks = locks;
        this.open = open;
        this.timer = timer;
        this.workers = workers;
        this.delay = delay;
    }

    /** A step on the machine is done with the lock of a service. */
    void add(Machine machine, String service) {
        boolean first;
        synchronized (pending) {
            Entry e = pending.computeIfAbsent(machine.name(), k -> new Entry(machine, new LinkedHashSet<>()));
            first = e.services().isEmpty();
            e.services().add(service);
        }
        if (first) {
            try {
                timer.schedule(() -> workers.execute(() -> flush(machine.name(), null)), delay.toMillis(),
                        TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                flush(machine.name(), null);
            }
        }
    }

    /** The releases pending on a machine, handed to a command that will carry them (so no longer pending). */
    List<String> takeFor(String machine) {
        synchronized (pending) {
            Entry e = pending.remove(machine);
            return e == null ? List.of() : List.copyOf(e.services());
        }
    }

    /**
     * Releases what is pending on a machine now, in one command.
     *
     * @param machine the machine's name
     * @param transport an open transport to it, or null to open one
     */
    void flush(String machine, @org.jspecify.annotations.Nullable Transport transport) {
        Entry e;
        synchronized (pending) {
            e = pending.remove(machine);
        }
        if (e == null || e.services().isEmpty()) {
            return;
        }
        try {
            if (transport != null) {
                locks.releaseAll(transport, e.services());
            } else {
                try (Transport t = open.apply(e.machine())) {
                    locks.releaseAll(t, e.services());
                }
            }
        } catch (RuntimeException ex) {
            LOG.warn("cannot release the locks of {} on {}; they expire with their leases: {}", e.services(),
                    machine, ErrorMessages.describe(ex));
        }
    }

    /** Releases everything pending, on all machines at once, and returns when done. */
    void flushAll() {
        List<String> machines;
        synchronized (pending) {
            machines = new ArrayList<>(pending.keySet());
        }
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (String m : machines) {
            try {
                all.add(CompletableFuture.runAsync(() -> flush(m, null), workers));
            } catch (RejectedExecutionException closing) {
                flush(m, null);
            }
        }
        boolean interrupted = Thread.interrupted();
        try {
            for (CompletableFuture<Void> f : all) {
                f.join();
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

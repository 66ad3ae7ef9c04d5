package dev.portoser.server.internal;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Whether each machine answers: one probe per machine at start and then every interval, all machines at once
 * (a slow machine delays only its own answer), through the transports the rest of the server uses.
 */
public final class Reachability implements AutoCloseable {
    /**
     * The last probe of a machine.
     *
     * @param reachable whether it answered
     * @param detail what went wrong, or empty
     */
    public record Reach(boolean reachable, String detail) {
    }

    private final Supplier<Registry> registry;
    private final TransportFactory remote;
    private final TransportFactory local;
    private final Duration timeout;
    private final Map<String, Reach> last = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final ExecutorService probes;
    private final java.util.function.BiConsumer<String, Reach> changed;

    /**
     * Starts probing.
     *
     * @param registry the current registry
     * @param remote transports to remote machines
     * @param local transports to {@code localhost} machines
     * @param interval time between probes
     * @param timeout how long a probe may take
     * @param changed told when a machine's reachability changes
     */
    public Reachability(Supplier<Registry> registry, TransportFactory remote, TransportFactory local, Duration interval,
                        Duration timeout, java.util.function.BiConsumer<String, Reach> changed) {
        this.registry = registry;
        this.remote = remote;
        this.local = local;
        this.timeout = timeout;
        this.changed = changed;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "portoser-server-reach"));
        this.probes = Executors.newCachedThreadPool(r -> daemon(r, "portoser-server-probe"));
        timer.scheduleWithFixedDelay(this::probeAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * The last probe of a machine.
     *
     * @param machine its name
     * @return the result, or null before the first probe ended
     */
    public Reach of(String machine) {
        return last.get(machine);
    }

    private void probeAll() {
        Registry r = registry.get();
        last.keySet().retainAll(r.machines().keySet());
        for (Machine m : r.machines().values()) {
            probes.execute(() -> probe(m));
        }
    }

    private void probe(Machine m) {
        Reach reach;
        try (Transport t = (m.isLocalhost() ? local : remote).open(m)) {
            boolean ok = t.isReachable(timeout);
            reach = new Reach(ok, ok ? "" : "did not answer within " + timeout.toSeconds() + " s");
        } catch (RuntimeException e) {
            reach = new Reach(false, e.getMessage() == null ? "unreachable" : e.getMessage());
        }
        Reach before = last.put(m.name(), reach);
        if (before == null || before.reachable() != reach.reachable()) {
            changed.accept(m.name(), reach);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        probes.shutdownNow();
    }
}

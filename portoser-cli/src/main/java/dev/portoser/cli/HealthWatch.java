package dev.portoser.cli;

import dev.portoser.deploy.Deployers;
import dev.portoser.heal.AutoHealer;
import dev.portoser.heal.HealEvent;
import dev.portoser.heal.Healer;
import dev.portoser.heal.KnowledgeBase;
import dev.portoser.health.HealthListener;
import dev.portoser.health.HealthMonitor;
import dev.portoser.health.HealthTransition;
import dev.portoser.health.ServiceHealth;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import dev.portoser.state.FileStateStore;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportFactory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;

/** {@code portoser health --watch}: the health monitor in a terminal, until Ctrl-C. */
final class HealthWatch {
    private static final String CLEAR = "\033[H\033[2J";

    private HealthWatch() {
    }

    static int run(CommandLine cli, Registry registry, List<String> names, @Nullable Path knownHosts, boolean json,
                   @Nullable FileStateStore healing) {
        List<String> watched = OpsCommands.selected(registry, names).stream().map(Service::name).toList();
        PrintWriter out = cli.getOut();
        boolean terminal = System.console() != null && !json;
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                finished.await(5, TimeUnit.SECONDS); // let the watch close its connections and say so
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "portoser-health-watch-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try (OpsCommands.Reach reach = new OpsCommands.Reach(knownHosts)) {
            TransportFactory transports = new TransportFactory() {
                @Override
                public Transport open(Machine machine) {
                    return reach.open(machine);
                }

                @Override
                public void close() {
                    // the reach is closed below
                }
            };
            HealthListener lines = new HealthListener() {
                @Override
                public void transition(HealthTransition t) {
                    if (terminal) {
                        return;
                    }
                    synchronized (out) {
                        out.println(json ? Json.write(event(t)) : t.at() + " " + t.describe());
                        out.flush();
                    }
                }
            };
            AtomicReference<HealthMonitor> running = new AtomicReference<>();
            AutoHealer auto = healing == null ? null : autoHealer(registry, watched, transports, healing, running, out,
                    terminal, json);
            HealthMonitor.Builder mb = HealthMonitor.builder(registry).transports(transports)
                    .deployers(Deployers.defaults()).watch(watched).listener(lines);
            if (auto != null) {
                mb.listener(auto);
            }
            try (AutoHealer closing = auto; HealthMonitor monitor = mb.start()) {
                running.set(monitor);
                if (!terminal && !json) {
                    out.println("watching " + (watched.size() == 1 ? "1 service" : watched.size() + " services")
                            + "; Ctrl-C stops");
                    out.flush();
                }
                while (!stop.await(1, TimeUnit.SECONDS)) {
                    if (terminal) {
                        draw(out, monitor.snapshots());
                    }
                }
            }
            if (!json) {
                out.println("stopped watching");
            }
            out.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running and waits for us
            }
        }
        return ExitCodes.OK;
    }

    /** Heals the watched services that turn unhealthy, printing each action and outcome (not on a terminal). */
    private static AutoHealer autoHealer(Registry registry, List<String> watched, TransportFactory transports,
                                         FileStateStore store, AtomicReference<HealthMonitor> running, PrintWriter out,
                                         boolean terminal, boolean json) {
        Healer healer = Healer.builder(registry).transports(transports).state(store)
                .knowledge(KnowledgeBase.under(store.directory())).budgetsUnder(store.directory())
                .healthStates(name -> Optional.ofNullable(running.get()).map(m -> m.snapshots().get(name))
                        .map(ServiceHealth::state))
                .listener(e -> {
                    if (!terminal && e.kind() != HealEvent.Kind.ENDED) {
                        synchronized (out) {
                            out.println(json ? Json.write(healEvent(e)) : e.time() + " heal " + e.describe());
                            out.flush();
                        }
                    }
                }).build();
        return AutoHealer.of(healer, watched, r -> {
            healer.drainWarnings().forEach(w -> {
                synchronized (out) {
                    out.println("warning: " + w);
                }
            });
            if (!terminal && !json) {
                synchronized (out) {
                    out.println(Instant.now() + " heal " + r.service() + ": " + r.outcome().name().toLowerCase(Locale.ROOT)
                            .replace('_', ' ') + ": " + r.detail());
                    out.flush();
                }
            }
        });
    }

    private static Map<String, Object> healEvent(HealEvent e) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schemaVersion", 1);
        doc.put("time", e.time().toString());
        doc.put("service", e.service());
        doc.put("heal", e.kind().name().toLowerCase(Locale.ROOT));
        doc.put("fingerprint", e.fingerprint());
        doc.put("playbook", e.playbook());
        doc.put("detail", e.detail());
        return doc;
    }

    private static Map<String, Object> event(HealthTransition t) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schemaVersion", 1);
        doc.put("time", t.at().toString());
        doc.put("service", t.service());
        doc.put("from", t.from().name().toLowerCase(Locale.ROOT));
        doc.put("to", t.to().name().toLowerCase(Locale.ROOT));
        doc.put("rootCause", t.rootCause());
        doc.put("detail", t.result() == null ? null : t.result().detail());
        return doc;
    }

    private static void draw(PrintWriter out, Map<String, ServiceHealth> all) {
        Instant now = Instant.now();
        StringBuilder b = new StringBuilder(CLEAR);
        String line = "%-20s %-14s %-10s %-9s %-9s %-8s %s%n";
        b.append(String.format(Locale.ROOT, line, "SERVICE", "MACHINE", "STATE", "SINCE", "LATENCY", "FAILURES",
                "DETAIL"));
        for (ServiceHealth h : all.values()) {
            String detail = h.state().name().equals("BLOCKED") ? "blocked by " + String.join(", ", h.blockedBy())
                    : h.lastResult() == null ? "" : h.lastResult().detail();
            b.append(String.format(Locale.ROOT, line, h.service(), h.machine(), h.state().name().toLowerCase(Locale.ROOT),
                    ago(Duration.between(h.since(), now)), h.latency() == null ? "-" : h.latency().toMillis() + " ms",
                    h.consecutiveFailures(), detail));
        }
        b.append("\nCtrl-C stops.\n");
        out.print(b);
        out.flush();
    }

    private static String ago(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s < 120 ? s + "s" : s < 7200 ? (s / 60) + "m" : (s / 3600) + "h";
    }
}

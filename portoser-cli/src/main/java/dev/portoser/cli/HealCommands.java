package dev.portoser.cli;

import dev.portoser.heal.Diagnosis;
import dev.portoser.heal.DiagnosisReport;
import dev.portoser.heal.FailurePattern;
import dev.portoser.heal.FailurePatterns;
import dev.portoser.heal.HealReport;
import dev.portoser.heal.Healer;
import dev.portoser.heal.KnowledgeBase;
import dev.portoser.heal.Observation;
import dev.portoser.heal.Occurrence;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import dev.portoser.state.FileStateStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Self-healing verbs: {@code diagnose}, {@code heal}, {@code knowledge list|show|stats|record}. */
final class HealCommands {
    private HealCommands() {
    }

    static KnowledgeBase knowledge(@Nullable Path stateDir) {
        return KnowledgeBase.under(OpsCommands.store(stateDir).directory());
    }

    static Service service(Registry registry, String name) {
        return OpsCommands.selected(registry, List.of(name)).get(0);
    }

    static Map<String, Object> diagnosisJson(Diagnosis d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fingerprint", d.fingerprint());
        m.put("cause", d.cause());
        m.put("evidence", d.evidence());
        m.put("facts", d.facts());
        m.put("oursToFix", d.oursToFix());
        return m;
    }

    static void printDiagnoses(PrintWriter out, List<Diagnosis> diagnoses) {
        if (diagnoses.isEmpty()) {
            out.println("  no known failure");
        }
        for (Diagnosis d : diagnoses) {
            out.println("  " + d.fingerprint() + ": " + d.cause());
            d.evidence().forEach(e -> out.println("      " + e));
        }
    }

    /** {@code portoser diagnose SERVICE}: what is seen, what is wrong, what healing would do; changes nothing. */
    @Command(name = "diagnose", mixinStandardHelpOptions = true,
            description = "Observe a service on its machine, say what is wrong and what 'heal' would do; changes "
                    + "nothing. Exits 1 when something is wrong.")
    static final class Diagnose implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        RegistryOptions options;
        @Parameters(paramLabel = "SERVICE", arity = "1")
        String service;
        @Option(names = "--json", description = "Print the result as one JSON document.")
        boolean json;
        @Option(names = "--known-hosts", paramLabel = "FILE", description = "known_hosts for SSH host keys.")
        @Nullable Path knownHosts;
        @Option(names = "--state-dir", paramLabel = "DIR", description = "Where the knowledge base is (default: ~/.portoser).")
        @Nullable Path stateDir;

        @Override
        public Integer call() {
            Registry registry = options.load(spec.commandLine().getErr());
            Service s = service(registry, service);
            Machine m = registry.machine(s.machine()).orElseThrow();
            DiagnosisReport report;
            try (OpsCommands.Reach reach = new OpsCommands.Reach(knownHosts)) {
                Healer.Builder b = Healer.builder(registry).knowledge(knowledge(stateDir))
                        .budgetsUnder(OpsCommands.store(stateDir).directory());
                // Dependencies may run elsewhere: SSH whenever any machine is remote (connections open on use).
                if (registry.machines().values().stream().anyMatch(x -> !x.isLocalhost())) {
                    b.transports(reach.remote());
                }
                Healer healer = b.build();
                report = healer.diagnose(s.name());
                healer.drainWarnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
            }
            boolean fine = report.diagnoses().isEmpty() && report.observations().first(Observation.Health.class)
                    .map(h -> h.status() != dev.portoser.health.HealthStatus.DOWN
                            && h.status() != dev.portoser.health.HealthStatus.UNHEALTHY).orElse(false);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("schemaVersion", 1);
                doc.put("service", s.name());
                doc.put("machine", m.name());
                doc.put("time", report.observations().time().toString());
                doc.put("ok", fine);
                doc.put("observations", report.observations().items());
                doc.put("diagnoses", report.diagnoses().stream().map(HealCommands::diagnosisJson).toList());
                doc.put("wouldDo", report.fixes());
                doc.put("policy", Map.of("decision", report.decision().kind().name().toLowerCase(Locale.ROOT),
                        "reason", report.decision().reason()));
                out.println(Json.write(doc));
            } else {
                out.println(s.name() + " on " + m.name() + ":");
                out.println("seen:");
                report.observations().items().stream().filter(o -> !(o instanceof Observation.LogTail))
                        .forEach(o -> out.println("  " + o.describe()));
                out.println("diagnosis:");
                printDiagnoses(out, report.diagnoses());
                out.println("heal would:");
                if (report.fixes().isEmpty()) {
                    out.println("  nothing");
                }
                report.fixes().forEach(f -> out.println("  " + (f.playbook() == null ? f.fingerprint() + ": "
                        : f.playbook() + ": ") + f.description()));
                if (!report.decision().allowed()) {
                    out.println("policy: not now: " + report.decision().reason());
                }
            }
            out.flush();
            return fine ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }

    /** {@code portoser heal SERVICE}: fix what is wrong (dependencies first), restart, wait until healthy. */
    @Command(name = "heal", mixinStandardHelpOptions = true,
            description = "Diagnose a service and fix what is Portoser's to fix (its dependencies first), then start "
                    + "it and wait until it is healthy. A foreign process on its port is never touched. Exits 1 "
                    + "unless it ends healthy.")
    static final class Heal implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        RegistryOptions options;
        @Mixin
        ExecutionOptions execution;
        @Parameters(paramLabel = "SERVICE", arity = "1")
        String service;

        @Override
        public Integer call() {
            Registry registry = options.load(spec.commandLine().getErr());
            Service s = service(registry, service);
            boolean remote = registry.services().values().stream()
                    .anyMatch(x -> !registry.machine(x.machine()).orElseThrow().isLocalhost());
            PrintWriter out = spec.commandLine().getOut();
            return execution.run(registry, remote, out, (executor, ssh) -> {
                FileStateStore store = OpsCommands.store(execution.stateDir);
                Healer.Builder b = Healer.builder(registry).executor(executor).state(store)
                        .knowledge(KnowledgeBase.under(store.directory())).budgetsUnder(store.directory())
                        .listener(e -> {
                            if (e.kind() != dev.portoser.heal.HealEvent.Kind.ENDED) {
                                out.println(e.describe());
                                out.flush();
                            }
                        });
                if (ssh != null) {
                    b.transports(ssh);
                }
                HealReport r;
                try {
                    Healer healer = b.build();
                    r = healer.heal(s.name());
                    healer.drainWarnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new FailedException("interrupted");
                }
                out.println(r.service() + ": " + r.outcome().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                        + ": " + r.detail());
                out.flush();
                return r.healthy() ? ExitCodes.OK : ExitCodes.FAILED;
            });
        }
    }

    /** {@code portoser knowledge list|show|stats|record}. */
    @Command(name = "knowledge", mixinStandardHelpOptions = true,
            description = "What self-healing has learnt: occurrences of failures and how often each playbook fixed them.",
            subcommands = {KnowledgeList.class, KnowledgeShow.class, KnowledgeStats.class, KnowledgeRecord.class})
    static final class Knowledge implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "a knowledge command is required (list, show, stats, record)");
        }
    }

    abstract static class KnowledgeVerb implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--state-dir", paramLabel = "DIR", description = "The state directory (default: ~/.portoser).")
        @Nullable Path stateDir;
        @Option(names = "--json", description = "Print the result as one JSON document.")
        boolean json;

        KnowledgeBase kb() {
            return knowledge(stateDir);
        }

        void warnings(KnowledgeBase kb) {
            kb.warnings().forEach(w -> spec.commandLine().getErr().println("portoser: " + w));
            spec.commandLine().getErr().flush();
        }

        static Map<String, Object> occurrenceJson(Occurrence o) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", o.time().toString());
            m.put("fingerprint", o.fingerprint());
            m.put("service", o.service());
            m.put("machine", o.machine());
            m.put("playbook", o.playbook());
            m.put("outcome", o.outcome().name().toLowerCase(Locale.ROOT));
            m.put("source", o.source().name().toLowerCase(Locale.ROOT));
            m.put("detail", o.detail());
            if (!o.commands().isEmpty()) {
                m.put("commands", o.commands());
            }
            return m;
        }

        static String known(String fingerprint) {
            List<String> all = FailurePatterns.builtIns().stream().map(FailurePattern::fingerprint).toList();
            if (!all.contains(fingerprint)) {
                throw new UsageException("unknown fingerprint '" + fingerprint + "'; known: " + String.join(", ", new java.util.TreeSet<>(all)));
            }
            return fingerprint;
        }
    }

    /** {@code portoser knowledge list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List every recorded occurrence, oldest first.")
    static final class KnowledgeList extends KnowledgeVerb {
        @Override
        public Integer call() {
            KnowledgeBase kb = kb();
            List<Occurrence> all = kb.occurrences();
            warnings(kb);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.write(Map.of("schemaVersion", 1, "occurrences",
                        all.stream().map(KnowledgeVerb::occurrenceJson).toList())));
            } else {
                String f = "%-20s %-22s %-22s %-26s %-14s %s%n";
                out.printf(Locale.ROOT, f, "TIME", "FINGERPRINT", "SERVICE", "PLAYBOOK", "OUTCOME", "SOURCE");
                for (Occurrence o : all) {
                    out.printf(Locale.ROOT, f, o.time().toString().substring(0, 19), o.fingerprint(),
                            o.service() + "@" + o.machine(), o.playbook() == null ? "-" : o.playbook(),
                            o.outcome().name().toLowerCase(Locale.ROOT), o.source().name().toLowerCase(Locale.ROOT));
                }
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    /** {@code portoser knowledge stats}. */
    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = "How often each failure was seen and how often each playbook fixed it.")
    static final class KnowledgeStats extends KnowledgeVerb {
        @Override
        public Integer call() {
            KnowledgeBase kb = kb();
            List<KnowledgeBase.FingerprintStats> stats = kb.stats();
            warnings(kb);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.write(Map.of("schemaVersion", 1, "fingerprints", stats)));
            } else {
                String f = "%-22s %6s %6s  %s%n";
                out.printf(Locale.ROOT, f, "FINGERPRINT", "SEEN", "FIXED", "PLAYBOOKS (fixed/tried)");
                for (KnowledgeBase.FingerprintStats s : stats) {
                    out.printf(Locale.ROOT, f, s.fingerprint(), s.occurrences(), s.fixed(), String.join(", ",
                            s.playbooks().stream().map(p -> p.playbook() + " " + p.fixed() + "/" + p.attempts()).toList()));
                }
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    /** {@code portoser knowledge show FINGERPRINT}. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "What is known of one failure: counts, playbooks by success, recent occurrences.")
    static final class KnowledgeShow extends KnowledgeVerb {
        @Parameters(paramLabel = "FINGERPRINT", arity = "1")
        String fingerprint;

        @Override
        public Integer call() {
            known(fingerprint);
            KnowledgeBase kb = kb();
            KnowledgeBase.FingerprintStats s = kb.stats(fingerprint);
            List<Occurrence> recent = kb.occurrences(fingerprint);
            recent = recent.subList(Math.max(0, recent.size() - 10), recent.size());
            warnings(kb);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.write(Map.of("schemaVersion", 1, "stats", s, "recent",
                        recent.stream().map(KnowledgeVerb::occurrenceJson).toList())));
            } else {
                out.println(fingerprint + ": seen " + s.occurrences() + " times, fixed " + s.fixed());
                s.services().forEach((svc, n) -> out.println("  on " + svc + ": " + n));
                for (KnowledgeBase.PlaybookStats p : s.playbooks()) {
                    out.printf(Locale.ROOT, "  playbook %s: fixed %d of %d (%.0f%%)%n", p.playbook(), p.fixed(),
                            p.attempts(), 100 * p.successRate());
                }
                out.println("recent:");
                recent.forEach(o -> out.println("  " + o.time() + " " + o.service() + "@" + o.machine() + " "
                        + (o.playbook() == null ? "-" : o.playbook()) + " " + o.outcome().name().toLowerCase(Locale.ROOT)
                        + (o.detail().isEmpty() ? "" : ": " + o.detail())));
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    /** {@code portoser knowledge record FINGERPRINT --service S --machine M ...}: a fix made by hand. */
    @Command(name = "record", mixinStandardHelpOptions = true,
            description = "Record a fix made by hand. With a command after '--', it becomes a candidate playbook for "
                    + "that failure (run without a shell; ${service}, ${path}, ${pid}... are filled in as arguments).")
    static final class KnowledgeRecord extends KnowledgeVerb {
        private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
        @Parameters(index = "0", paramLabel = "FINGERPRINT")
        String fingerprint;
        @Parameters(index = "1..*", paramLabel = "COMMAND", description = "The command that fixed it, after '--'.")
        List<String> command = new ArrayList<>();
        @Option(names = "--service", required = true, paramLabel = "NAME", description = "The service it concerned.")
        String service;
        @Option(names = "--machine", required = true, paramLabel = "NAME", description = "Its machine.")
        String machine;
        @Option(names = "--playbook", paramLabel = "NAME",
                description = "The playbook's name (an existing one, or the name of this command; default: by-hand).")
        String playbook = "by-hand";
        @Option(names = "--failed", description = "The fix did not work (it counts against the playbook).")
        boolean failed;
        @Option(names = "--detail", paramLabel = "TEXT", description = "What was done, in words.")
        String detail = "";

        @Override
        public Integer call() {
            known(fingerprint);
            if (!NAME.matcher(playbook).matches()) {
                throw new UsageException("--playbook: a playbook name is lowercase letters, digits, '.', '_' and '-' "
                        + "(at most 63), starting with a letter or digit; found '" + playbook + "'");
            }
            Occurrence o = new Occurrence(Instant.now(), fingerprint, service, machine, playbook,
                    failed ? Occurrence.Outcome.FAILED : Occurrence.Outcome.FIXED, detail, Occurrence.Source.BY_HAND,
                    command.isEmpty() ? List.of() : List.of(command));
            KnowledgeBase kb = kb();
            kb.record(o);
            PrintWriter out = spec.commandLine().getOut();
            out.println("recorded: " + fingerprint + " on " + service + "@" + machine + " " + playbook + " "
                    + o.outcome().name().toLowerCase(Locale.ROOT) + (command.isEmpty() ? ""
                    : "; it is now a candidate fix for " + fingerprint));
            out.flush();
            return ExitCodes.OK;
        }
    }
}

package dev.portoser.cli;

import dev.portoser.deploy.DeployContext;
import dev.portoser.deploy.Deployer;
import dev.portoser.deploy.Deployers;
import dev.portoser.deploy.ServiceStatus;
import dev.portoser.exec.StepResult;
import dev.portoser.health.HealthChecks;
import dev.portoser.health.HealthResult;
import dev.portoser.health.HealthStatus;
import dev.portoser.health.HealthTarget;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import java.util.Optional;
import dev.portoser.ssh.SshTransportFactory;
import dev.portoser.state.DeploymentRecord;
import dev.portoser.state.FileStateStore;
import dev.portoser.state.StateStore;
import dev.portoser.transport.LocalTransport;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
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

/** Read verbs about running services: {@code health}, {@code status}, {@code logs}, {@code history}. */
final class OpsCommands {
    private OpsCommands() {
    }

    /** How read verbs reach machines: local for localhost, SSH otherwise. */
    static final class Reach implements AutoCloseable {
        private final @Nullable Path knownHosts;
        private @Nullable SshTransportFactory ssh;

        Reach(@Nullable Path knownHosts) {
            this.knownHosts = knownHosts != null ? knownHosts : ExecutionOptions.fromEnvironment("PORTOSER_KNOWN_HOSTS")
                    .or(() -> ConfigFile.load().path("known_hosts")).orElse(null);
        }

        Transport open(Machine machine) {
            if (machine.isLocalhost()) {
                return new LocalTransport(machine);
            }
            return remote().open(machine);
        }

        /** The SSH transports for remote machines, made on first use. */
        SshTransportFactory remote() {
            if (ssh == null) {
                SshTransportFactory.Builder b = SshTransportFactory.builder();
                if (knownHosts != null) {
                    b.knownHosts(knownHosts);
                }
                ssh = b.build();
            }
            return ssh;
        }

        @Override
        public void close() {
            if (ssh != null) {
                ssh.close();
            }
        }
    }

    static List<Service> selected(Registry registry, List<String> names) {
        if (names.isEmpty()) {
            return List.copyOf(registry.services().values());
        }
        List<Service> services = new ArrayList<>();
        for (String name : names) {
            services.add(registry.service(name).orElseThrow(() -> new UsageException("unknown service '" + name
                    + "'; services are: " + String.join(", ", registry.services().keySet()))));
        }
        return services;
    }

    static HealthResult check(HealthChecks checks, Service s, Machine m, Transport t) {
        if (s.healthSpec().isEmpty()) {
            return new HealthResult(HealthStatus.UNKNOWN, "no health check defined", Duration.ZERO);
        }
        Integer port = s.health().port() != null ? s.health().port() : s.port();
        if (s.health().viaSsh() && !m.isLocalhost() && port != null) {
            // health.via: ssh: the port listens only on the machine's loopback; reach it through the SSH connection
            java.net.InetSocketAddress local = t.forward(port);
            Machine here = new Machine(m.name(), local.getAddress().getHostAddress(), m.user(), m.platform(),
                    m.sshPort(), m.sshKey(), null, null, null, null, List.of());
            HealthResult r = checks.forService(s).check(new HealthTarget(s, here, local.getPort(), t));
            return new HealthResult(r.status(), r.detail() + " (through the SSH connection to " + m.name() + ", port "
                    + port + ")", r.latency());
        }
        return checks.forService(s).check(new HealthTarget(s, m, port, t));
    }

    /**
     * What {@code health} and {@code status} share: pick services, reach each machine, fill one row per service
     * (or note that the machine is unreachable), print a table or JSON.
     */
    abstract static class ServiceTable implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        RegistryOptions options;
        @Parameters(paramLabel = "SERVICE", arity = "0..*")
        List<String> services = new ArrayList<>();
        @Option(names = "--known-hosts", paramLabel = "FILE", description = "known_hosts for SSH host keys.")
        @Nullable Path knownHosts;
        @Option(names = "--json", description = "Print the result as one JSON document.")
        boolean json;

        final HealthChecks checks = new HealthChecks();

        /** Fills a service's row, looking through a transport to its machine. */
        abstract void fill(Map<String, Object> row, Service s, Machine m, Transport t);

        /** Fills the row of a service whose machine cannot be reached. */
        abstract void unreachable(Map<String, Object> row, TransportException e);

        /** The table's columns: JSON field names, with their headers and widths. */
        abstract String[][] columns();

        /** The exit code for these rows. */
        abstract int exitCode(List<Map<String, Object>> rows);

        @Override
        public Integer call() {
            Registry registry = options.load(spec.commandLine().getErr());
            List<Map<String, Object>> rows = new ArrayList<>();
            try (Reach reach = new Reach(knownHosts)) {
                for (Service s : selected(registry, services)) {
                    Machine m = registry.machine(s.machine()).orElseThrow();
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("service", s.name());
                    row.put("machine", m.name());
                    try (Transport t = reach.open(m)) {
                        fill(row, s, m, t);
                    } catch (TransportException e) {
                        unreachable(row, e);
                    }
                    rows.add(row);
                }
            }
            int exit = exitCode(rows);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.write(Map.of("schemaVersion", 1, "ok", exit == ExitCodes.OK, "services", rows)));
            } else {
                StringBuilder format = new StringBuilder();
                List<Object> headers = new ArrayList<>();
                for (String[] c : columns()) {
                    format.append("%-").append(c[2]).append("s ");
                    headers.add(c[1]);
                }
                String line = format.toString().strip() + "%n";
                out.printf(Locale.ROOT, line, headers.toArray());
                for (Map<String, Object> r : rows) {
                    out.printf(Locale.ROOT, line, java.util.Arrays.stream(columns())
                            .map(c -> r.getOrDefault(c[0], "-")).toArray());
                }
            }
            out.flush();
            return exit;
        }
    }

    /** {@code portoser health [SERVICE...]}: a one-shot table of health checks. */
    @Command(name = "health", mixinStandardHelpOptions = true,
            description = "Check the health of services (all by default) once and print a table. Exits 1 when one is unhealthy.")
    static final class Health extends ServiceTable {
        @Option(names = "--watch", description = "Keep checking every service at its interval: on a terminal, redraw "
                + "the table (state, since, latency, failures); otherwise print one line per change (JSON Lines "
                + "with --json). Ctrl-C stops.")
        boolean watch;
        @Option(names = "--heal", description = "With --watch: heal each watched service that turns unhealthy, under "
                + "its healing policy (back-off, circuit breaker; never a flapping or blocked one: its dependency is "
                + "healed), printing what is done; every action goes into the history.")
        boolean heal;
        @Option(names = "--state-dir", paramLabel = "DIR", description = "With --heal: the state directory of the "
                + "history, knowledge base and policy counters (default: ~/.portoser).")
        @Nullable Path stateDir;

        @Override
        public Integer call() {
            if (heal && !watch) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--heal needs --watch");
            }
            return watch ? HealthWatch.run(spec.commandLine(), options.load(spec.commandLine().getErr()), services,
                    knownHosts, json, heal ? store(stateDir) : null) : super.call();
        }

        @Override
        void fill(Map<String, Object> row, Service s, Machine m, Transport t) {
            HealthResult r = check(checks, s, m, t);
            row.put("status", r.status().name().toLowerCase(Locale.ROOT));
            row.put("latencyMillis", r.latency().toMillis());
            row.put("detail", r.detail());
        }

        @Override
        void unreachable(Map<String, Object> row, TransportException e) {
            row.put("status", "unhealthy");
            row.put("detail", e.getMessage());
        }

        @Override
        String[][] columns() {
            return new String[][] {{"service", "SERVICE", "20"}, {"machine", "MACHINE", "14"}, {"status", "HEALTH", "10"},
                    {"detail", "DETAIL", "1"}};
        }

        @Override
        int exitCode(List<Map<String, Object>> rows) {
            return rows.stream().anyMatch(r -> "unhealthy".equals(r.get("status"))) ? ExitCodes.FAILED : ExitCodes.OK;
        }
    }

    /** {@code portoser status [SERVICE...]}: is each service's process running, and is it healthy. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show whether services (all by default) run, with their PID and health.")
    static final class Status extends ServiceTable {
        private final Deployers deployers = Deployers.defaults();

        @Override
        void fill(Map<String, Object> row, Service s, Machine m, Transport t) {
            row.put("type", s.type().yamlName());
            Optional<Deployer> deployer = deployers.forType(s.type());
            ServiceStatus status = deployer.isPresent()
                    ? deployer.get().status(new DeployContext(s, m, t, s.port(), Duration.ofSeconds(30)))
                    : ServiceStatus.unknown("no deployer for type " + s.type().yamlName());
            row.put("process", status.state().name().toLowerCase(Locale.ROOT));
            if (!status.ids().isEmpty()) {
                row.put("pid", String.join(",", status.ids()));
            }
            if (!status.isRunning()) {
                row.put("detail", status.detail());
            }
            row.put("health", check(checks, s, m, t).status().name().toLowerCase(Locale.ROOT));
        }

        @Override
        void unreachable(Map<String, Object> row, TransportException e) {
            row.put("process", "unreachable");
            row.put("health", "unknown");
            row.put("detail", e.getMessage());
        }

        @Override
        String[][] columns() {
            return new String[][] {{"service", "SERVICE", "20"}, {"machine", "MACHINE", "14"}, {"type", "TYPE", "8"},
                    {"process", "PROCESS", "12"}, {"pid", "PID", "8"}, {"health", "HEALTH", "1"}};
        }

        @Override
        int exitCode(List<Map<String, Object>> rows) {
            return ExitCodes.OK;
        }
    }

    /** {@code portoser logs SERVICE}: the last lines of a service's log on its machine. */
    @Command(name = "logs", mixinStandardHelpOptions = true, description = "Print the last lines of a service's log.")
    static final class Logs implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        RegistryOptions options;
        @Parameters(paramLabel = "SERVICE", arity = "1")
        String service;
        @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "50", description = "How many lines (default: ${DEFAULT-VALUE}).")
        int lines;
        @Option(names = "--known-hosts", paramLabel = "FILE", description = "known_hosts for SSH host keys.")
        @Nullable Path knownHosts;

        @Override
        public Integer call() {
            Registry registry = options.load(spec.commandLine().getErr());
            Service s = selected(registry, List.of(service)).get(0);
            Machine m = registry.machine(s.machine()).orElseThrow();
            Deployer deployer = Deployers.defaults().forType(s.type()).orElseThrow(() ->
                    new FailedException("no deployer for type " + s.type().yamlName()));
            try (Reach reach = new Reach(knownHosts); Transport t = reach.open(m)) {
                spec.commandLine().getOut().print(deployer.logs(new DeployContext(s, m, t, s.port(),
                        Duration.ofSeconds(30)), lines));
            }
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }

    /** {@code portoser history list|show|rollback}. */
    @Command(name = "history", mixinStandardHelpOptions = true, description = "Deployment history.",
            subcommands = {HistoryList.class, HistoryShow.class, HistoryRollback.class})
    static final class History implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "a history command is required (list, show, rollback)");
        }
    }

    /** Prints what the store got round while reading (a garbled file moved aside), one line each. */
    static void warn(StateStore store, CommandSpec spec) {
        PrintWriter err = spec.commandLine().getErr();
        store.drainWarnings().forEach(w -> err.println("portoser: warning: " + w));
        err.flush();
    }

    static FileStateStore store(@Nullable Path stateDir) {
        Path dir = stateDir != null ? stateDir : ExecutionOptions.fromEnvironment("PORTOSER_STATE_DIR")
                .or(() -> ConfigFile.load().path("state_dir")).orElse(null);
        return dir != null ? new FileStateStore(dir) : FileStateStore.inHome();
    }

    /** {@code portoser history list SERVICE}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List a service's deployments, newest last.")
    static final class HistoryList implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "SERVICE", arity = "1")
        String service;
        @Option(names = "--state-dir", paramLabel = "DIR", description = "History and journal (default: ~/.portoser).")
        @Nullable Path stateDir;
        @Option(names = "--json", description = "Print the result as one JSON document.")
        boolean json;

        @Override
        public Integer call() {
            StateStore store = store(stateDir);
            List<DeploymentRecord> records = store.history(service);
            warn(store, spec);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (DeploymentRecord r : records) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("id", r.id());
                    row.put("time", r.time().toString());
                    row.put("machine", r.machine());
                    row.put("action", r.action());
                    row.put("outcome", r.outcome());
                    row.put("healthy", r.healthy());
                    row.put("durationMillis", r.duration().toMillis());
                    row.put("configFingerprint", r.configFingerprint());
                    rows.add(row);
                }
                out.println(Json.write(Map.of("schemaVersion", 1, "service", service, "records", rows)));
            } else {
                out.printf(Locale.ROOT, "%-13s %-25s %-12s %-8s %-12s %-8s %s%n", "ID", "TIME", "MACHINE", "ACTION",
                        "OUTCOME", "HEALTHY", "CONFIG");
                records.forEach(r -> out.printf(Locale.ROOT, "%-13s %-25s %-12s %-8s %-12s %-8s %s%n", r.id(), r.time(),
                        r.machine(), r.action(), r.outcome(), r.healthy(), r.configFingerprint()));
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    /** {@code portoser history show ID}. */
    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one deployment record as JSON.")
    static final class HistoryShow implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "ID", arity = "1")
        String id;
        @Option(names = "--state-dir", paramLabel = "DIR", description = "History and journal (default: ~/.portoser).")
        @Nullable Path stateDir;

        @Override
        public Integer call() {
            StateStore store = store(stateDir);
            Optional<DeploymentRecord> found = store.find(id);
            warn(store, spec);
            DeploymentRecord r = found.orElseThrow(() -> new FailedException("no history record " + id));
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("schemaVersion", 1);
            doc.put("id", r.id());
            doc.put("time", r.time().toString());
            doc.put("runId", r.runId());
            doc.put("service", r.service());
            doc.put("machine", r.machine());
            doc.put("action", r.action());
            doc.put("outcome", r.outcome());
            doc.put("healthy", r.healthy());
            doc.put("durationMillis", r.duration().toMillis());
            doc.put("port", r.port());
            doc.put("configFingerprint", r.configFingerprint());
            doc.put("command", r.config().command());
            doc.put("path", r.config().path());
            doc.put("env", r.config().env().keySet());
            doc.put("controller", r.controller());
            doc.put("detail", r.detail());
            spec.commandLine().getOut().println(Json.write(doc));
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }

    /** {@code portoser history rollback ID}: deploy a recorded configuration again. */
    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Deploy the configuration of a history record again and wait until it is healthy.")
    static final class HistoryRollback implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        RegistryOptions options;
        @Parameters(paramLabel = "ID", arity = "1")
        String id;
        @Mixin
        ExecutionOptions execution;

        @Override
        public Integer call() {
            Registry registry = options.load(spec.commandLine().getErr());
            StepResult result = execution.rollback(registry, id, spec.commandLine().getOut());
            return result.outcome().isSuccess() ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }
}

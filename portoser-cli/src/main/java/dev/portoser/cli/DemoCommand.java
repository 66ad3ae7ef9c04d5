package dev.portoser.cli;

import dev.portoser.exec.ConsoleProgress;
import dev.portoser.exec.Executor;
import dev.portoser.exec.RunResult;
import dev.portoser.health.HealthChecks;
import dev.portoser.health.HealthResult;
import dev.portoser.health.HealthTarget;
import dev.portoser.plan.Plan;
import dev.portoser.plan.Planner;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import dev.portoser.state.FileStateStore;
import dev.portoser.transport.LocalTransport;
import dev.portoser.transport.Shell;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code portoser demo}: deploy a bundled four-service registry to this machine, show it healthy, tear it down. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Deploy a bundled demo of 4 services to this machine, show them healthy, then clean up.",
                "The services have dependencies and health checks and run through the local transport; at the end",
                "everything is stopped and removed."})
final class DemoCommand implements Callable<Integer> {
    private static final String[] SERVICES = {"store", "cache", "api", "web"};

    /** Which HTTP server the demo services run. */
    enum Server { auto, python, java }

    @Spec
    CommandSpec spec;

    @Option(names = "--keep", description = "Leave the services running (the command to stop them is printed).")
    boolean keep;

    @Option(names = "--server", defaultValue = "auto",
            description = "The services' HTTP server: python (python3 -m http.server), java, or auto (default: python3 "
                    + "when it is on the PATH).")
    Server server;

    @Option(names = "--verbose", description = "Show stack traces of errors.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path dir = Files.createTempDirectory("portoser-demo-");
        Registry registry;
        try {
            registry = Registry.loader().variables(variables(dir)).build().parse(template(), "demo/registry.yml");
        } catch (RuntimeException | IOException e) {
            deleteTree(dir);
            throw e;
        }
        Machine machine = registry.machine("this-machine").orElseThrow();
        TransportFactory sandbox = new TransportFactory() {
            @Override
            public Transport open(Machine m) {
                return new LocalTransport(m, dir.resolve("home"));
            }

            @Override
            public void close() {
            }
        };
        boolean terminal = System.console() != null;
        out.println("Portoser demo: 4 services on this machine, in " + dir);
        Planner planner = Planner.of(registry);
        Plan deploy = planner.group("demo");
        out.print(deploy.render());
        out.println();
        out.flush();
        boolean healthy = false;
        boolean tornDown = false;
        try (Executor executor = Executor.builder().localTransports(sandbox)
                .state(new FileStateStore(dir.resolve("state"))).healthTimeout(Duration.ofSeconds(60))
                .listener(new ConsoleProgress(out, terminal)).build()) {
            try {
                RunResult result = executor.run(registry, deploy);
                out.println();
                healthy = printHealth(out, registry, machine, sandbox) && result.succeeded();
                if (keep) {
                    out.println();
                    out.println("The services keep running. Stop them with:");
                    out.println("  for f in " + Shell.quote(dir.resolve("home/.portoser/run").toString())
                            + "/*.pid; do kill -s TERM -- \"-$(cat \"$f\")\"; done");
                    return healthy ? ExitCodes.OK : ExitCodes.FAILED;
                }
            } finally {
                if (!keep) {
                    // Whatever happened above, leave nothing running.
                    out.println();
                    out.println("Tearing down: stopping every service, dependents first.");
                    out.flush();
                    tornDown = executor.run(registry, planner.stop("store", "cache")).succeeded();
                }
            }
        } finally {
            if (!keep) {
                deleteTree(dir);
            }
        }
        healthy &= tornDown;
        out.println(healthy ? "Demo done: every service was healthy, and everything is stopped and removed."
                : "Demo FAILED: see above.");
        out.flush();
        return healthy ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private boolean printHealth(PrintWriter out, Registry registry, Machine machine, TransportFactory transports) {
        HealthChecks checks = new HealthChecks();
        boolean all = true;
        out.printf(Locale.ROOT, "%-8s %-14s %-6s %-8s %s%n", "SERVICE", "MACHINE", "PORT", "HEALTH", "DETAIL");
        try (Transport t = transports.open(machine)) {
            for (String name : SERVICES) {
                Service s = registry.service(name).orElseThrow();
                HealthResult r = checks.forService(s).check(new HealthTarget(s, machine, s.port(), t));
                all &= r.isHealthy();
                out.printf(Locale.ROOT, "%-8s %-14s %-6d %-8s %s%n", name, machine.name(), s.port(),
                        r.status().name().toLowerCase(Locale.ROOT), r.detail());
            }
        }
        out.flush();
        return all;
    }

    private Map<String, String> variables(Path dir) throws IOException {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("DIR", dir.toString());
        vars.put("USER", System.getProperty("user.name").matches("[A-Za-z_][A-Za-z0-9_.-]{0,31}")
                ? System.getProperty("user.name") : "demo");
        vars.put("SERVE", serveCommand());
        String[] keys = {"STORE_PORT", "CACHE_PORT", "API_PORT", "WEB_PORT"};
        for (int i = 0; i < SERVICES.length; i++) {
            Path site = Files.createDirectories(dir.resolve(SERVICES[i]).resolve("site"));
            Files.writeString(site.resolve("index.html"), "<h1>" + SERVICES[i] + "</h1>\n");
            Files.writeString(site.resolve("health.html"), "ok\n");
            try (ServerSocket socket = new ServerSocket(0)) {
                vars.put(keys[i], String.valueOf(socket.getLocalPort()));
            }
        }
        Files.createDirectories(dir.resolve("home"));
        return vars;
    }

    /** How each service serves its {@code site} directory on {@code $PORT}. */
    private String serveCommand() {
        boolean python = server == Server.python || (server == Server.auto && onPath("python3"));
        if (python) {
            return "exec python3 -m http.server $PORT --bind 127.0.0.1 --directory site";
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        String classpath = System.getProperty("java.class.path");
        return "exec " + Shell.quote(java) + " -cp " + Shell.quote(classpath) + " " + DemoHttpServer.class.getName()
                + " $PORT site";
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static String template() throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream("/dev/portoser/cli/demo/registry.yml")) {
            if (in == null) {
                throw new IOException("the demo registry is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

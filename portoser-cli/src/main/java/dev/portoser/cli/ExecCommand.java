package dev.portoser.cli;

import dev.portoser.exec.FanOut;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code portoser exec (MACHINE...|--all|--tag TAG) -- COMMAND [ARG...]}: one command on many machines at once. */
@picocli.CommandLine.Command(name = "exec", mixinStandardHelpOptions = true,
        description = "Run one command on many machines at once; output grouped per machine.",
        footer = {"%nThe command after '--' runs as an argument vector (no shell); exit 1 if it failed anywhere."})
final class ExecCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    RegistryOptions options;
    @Option(names = "--all", description = "Every machine of the registry.")
    boolean all;
    @Option(names = "--tag", paramLabel = "TAG", description = "The machines with this tag (repeatable).")
    List<String> tags = new ArrayList<>();
    @Option(names = "--json", description = "Print the results as one JSON document.")
    boolean json;
    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s",
            converter = ExecutionOptions.DurationConverter.class,
            description = "How long the command may run on each machine (default: ${DEFAULT-VALUE}).")
    Duration timeout;
    @Option(names = "--known-hosts", paramLabel = "FILE", description = "known_hosts for SSH host keys.")
    @Nullable Path knownHosts;
    @Parameters(paramLabel = "MACHINE... -- COMMAND", arity = "0..*",
            description = "Machines to run on, then '--' and the command with its arguments.")
    List<String> words = new ArrayList<>();

    @Override
    public Integer call() {
        List<String> raw = spec.commandLine().getParseResult().originalArgs();
        int dashes = raw.indexOf("--");
        if (dashes < 0 || dashes == raw.size() - 1) {
            throw new UsageException("a command is required after '--', as in: portoser exec --all -- uptime");
        }
        List<String> argv = raw.subList(dashes + 1, raw.size());
        List<String> names = new ArrayList<>(words.subList(0, Math.max(0, words.size() - argv.size())));
        Registry registry = options.load(spec.commandLine().getErr());
        List<Machine> machines = select(registry, names);
        boolean remote = machines.stream().anyMatch(m -> !m.isLocalhost());
        Map<String, FanOut.Result> results;
        try (OpsCommands.Reach reach = new OpsCommands.Reach(knownHosts);
             FanOut fanOut = new FanOut(remote ? reach.remote() : null)) {
            results = fanOut.run(machines, Command.of(argv).timeout(timeout));
        }
        boolean ok = results.values().stream().allMatch(FanOut.Result::succeeded);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (FanOut.Result r : results.values()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("machine", r.machine());
                row.put("ok", r.succeeded());
                CommandResult c = r.result();
                if (c != null) {
                    row.put("exitCode", c.exitCode());
                    row.put("stdout", c.stdout());
                    row.put("stderr", c.stderr());
                } else {
                    row.put("error", r.error());
                }
                row.put("durationMs", r.duration().toMillis());
                rows.add(row);
            }
            out.println(Json.write(Map.of("schemaVersion", 1, "ok", ok, "machines", rows)));
        } else {
            for (FanOut.Result r : results.values()) {
                CommandResult c = r.result();
                out.printf("== %s: %s (%.2f s)%n", r.machine(), c == null ? "unreachable: " + r.error()
                        : "exit " + c.exitCode(), r.duration().toMillis() / 1000.0);
                if (c != null) {
                    out.print(c.stdout());
                    if (!c.stdout().isEmpty() && !c.stdout().endsWith("\n")) {
                        out.println();
                    }
                    if (!c.stderr().isEmpty()) {
                        out.print(c.stderr().endsWith("\n") ? c.stderr() : c.stderr() + "\n");
                    }
                }
            }
        }
        out.flush();
        return ok ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private List<Machine> select(Registry registry, List<String> names) {
        if (!all && tags.isEmpty() && names.isEmpty()) {
            throw new UsageException("name the machines, or use --all or --tag TAG");
        }
        List<Machine> chosen = new ArrayList<>();
        for (Machine m : registry.machines().values()) {
            if (all || names.contains(m.name()) || m.tags().stream().anyMatch(tags::contains)) {
                chosen.add(m);
            }
        }
        for (String name : names) {
            if (registry.machine(name).isEmpty()) {
                throw new UsageException("unknown machine '" + name + "'; machines are: "
                        + String.join(", ", registry.machines().keySet()));
            }
        }
        if (chosen.isEmpty()) {
            throw new UsageException("no machine has the tag " + String.join(" or ", tags));
        }
        return chosen;
    }
}

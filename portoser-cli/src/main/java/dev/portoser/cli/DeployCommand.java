package dev.portoser.cli;

import dev.portoser.ErrorMessages;
import dev.portoser.deploy.DeployContext;
import dev.portoser.deploy.Deployer;
import dev.portoser.deploy.Deployers;
import dev.portoser.plan.Action;
import dev.portoser.plan.Plan;
import dev.portoser.plan.Step;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Service;
import dev.portoser.secret.Secret;
import dev.portoser.secret.SecretProvider;
import dev.portoser.transport.Transport;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import dev.portoser.plan.Planner;
import dev.portoser.registry.Registry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import dev.portoser.state.StateStore;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code portoser deploy}: plan the deployment of services, a group, or everything. */
@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = {"Deploy services, a group or everything, dependencies first, each once they are healthy.",
                "--dry-run prints the plan and does nothing; with --explain, also what each step would install."})
final class DeployCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RegistryOptions options;

    @Parameters(paramLabel = "SERVICE", arity = "0..*", description = "Services to deploy.")
    List<String> services = new ArrayList<>();

    @Option(names = "--group", paramLabel = "GROUP", description = "Deploy every service of a group.")
    @Nullable String group;

    @Option(names = "--all", description = "Deploy every service of the registry.")
    boolean all;

    @Option(names = "--dry-run", description = "Print the plan and do nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "With --dry-run: print the plan as JSON (a saved plan).")
    boolean json;

    @Option(names = "--explain", description = "With --dry-run: for each deploy step, what it would install, read "
            + "from its machine (a native service's whole unit file, a Compose override; secrets masked).")
    boolean explain;

    @Mixin
    ExecutionOptions execution;

    @Override
    public Integer call() {
        int chosen = (services.isEmpty() ? 0 : 1) + (group == null ? 0 : 1) + (all ? 1 : 0);
        if (chosen != 1) {
            throw new UsageException("name what to deploy: SERVICE..., --group GROUP or --all (exactly one of them)");
        }
        Registry registry = options.load(spec.commandLine().getErr());
        // What the history says runs where: a service moved in the registry since its deployment is migrated.
        StateStore store = execution.stateStore();
        Map<String, Set<String>> running = new TreeMap<>();
        registry.services().keySet().forEach(name -> running.put(name, store.machinesRunning(name)));
        OpsCommands.warn(store, spec);
        Planner planner = Planner.of(registry).knowingWhereServicesRun(running);
        Plan plan = all ? planner.all() : group != null ? planner.group(group)
                : planner.deploy(services.toArray(String[]::new));
        if (explain && (!dryRun || json)) {
            throw new UsageException("--explain goes with --dry-run (and not with --json)");
        }
        if (!dryRun) {
            return execution.execute(registry, plan, spec.commandLine().getOut(), spec.commandLine().getErr());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? plan.toJson() : plan.render());
        int code = explain ? explain(registry, plan, out) : ExitCodes.OK;
        out.flush();
        return code;
    }

    /** Asks each deploy step's deployer what it would install, on the step's machine; changes nothing. */
    private int explain(Registry registry, Plan plan, PrintWriter out) {
        int code = ExitCodes.OK;
        Deployers deployers = Deployers.defaults();
        try (OpsCommands.Reach reach = new OpsCommands.Reach(execution.knownHosts)) {
            for (Step step : plan.steps()) {
                if (step.action() != Action.DEPLOY) {
                    continue;
                }
                Service s = registry.service(step.service()).orElseThrow();
                Machine m = registry.machine(step.machine()).orElseThrow();
                out.println();
                out.println("== " + s.name() + " on " + m.name() + " (" + s.type().yamlName() + ")");
                Optional<Deployer> deployer = deployers.forType(s.type());
                if (deployer.isEmpty()) {
                    out.println("no deployer for type " + s.type().yamlName());
                    continue;
                }
                // A dry run reads no secret: each appears masked, under its variable name.
                Map<String, Secret> masked = new LinkedHashMap<>();
                s.vaultSecrets().forEach(ref -> ref.keys().forEach(k -> masked.put(SecretProvider.variableName(k),
                        new Secret("unresolved", "not read by --dry-run"))));
                Integer port = step.port() != null ? step.port() : s.port();
                try (Transport t = reach.open(m)) {
                    String text = deployer.get().explain(new DeployContext(s, m, t, port, masked, Duration.ofSeconds(60)));
                    out.print(text.isEmpty() ? "nothing is installed for this type\n" : text);
                    if (!masked.isEmpty()) {
                        out.println("(secrets are not read by --dry-run: they are masked, and not compared with "
                                + "what runs)");
                    }
                } catch (RuntimeException e) {
                    out.println("cannot explain: " + ErrorMessages.describe(e));
                    code = ExitCodes.FAILED;
                }
            }
        }
        return code;
    }
}

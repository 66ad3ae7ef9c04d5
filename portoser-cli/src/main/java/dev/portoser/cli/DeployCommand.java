package dev.portoser.cli;

import dev.portoser.plan.Plan;
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
                "--dry-run prints the plan and does nothing."})
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
        if (!dryRun) {
            return execution.execute(registry, plan, spec.commandLine().getOut(), spec.commandLine().getErr());
        }
        spec.commandLine().getOut().print(json ? plan.toJson() : plan.render());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}

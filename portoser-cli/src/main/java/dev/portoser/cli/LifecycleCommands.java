package dev.portoser.cli;

import dev.portoser.plan.Plan;
import dev.portoser.plan.Planner;
import dev.portoser.registry.Registry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code start}, {@code stop} and {@code restart}: the same shape, a different plan. */
final class LifecycleCommands {
    private LifecycleCommands() {
    }

    /** What the three commands share. */
    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        RegistryOptions options;

        @Mixin
        ExecutionOptions execution;

        @Parameters(paramLabel = "SERVICE", arity = "1..*", description = "The services.")
        List<String> services = new ArrayList<>();

        @Option(names = "--dry-run", description = "Print the plan and do nothing.")
        boolean dryRun;

        abstract BiFunction<Planner, String[], Plan> plan();

        @Override
        public Integer call() {
            Registry registry = options.load(spec.commandLine().getErr());
            Plan plan = plan().apply(Planner.of(registry), services.toArray(String[]::new));
            if (dryRun) {
                spec.commandLine().getOut().print(plan.render());
                spec.commandLine().getOut().flush();
                return ExitCodes.OK;
            }
            return execution.execute(registry, plan, spec.commandLine().getOut(), spec.commandLine().getErr());
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start services as installed, and first what they depend on.")
    static final class Start extends Base {
        @Override
        BiFunction<Planner, String[], Plan> plan() {
            return Planner::start;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop services, and before each everything that depends on it. Data is never touched.")
    static final class Stop extends Base {
        @Override
        BiFunction<Planner, String[], Plan> plan() {
            return Planner::stop;
        }
    }

    @Command(name = "restart", mixinStandardHelpOptions = true,
            description = "Restart exactly these services, in dependency order, each gated on its dependencies' health.")
    static final class Restart extends Base {
        @Override
        BiFunction<Planner, String[], Plan> plan() {
            return Planner::restart;
        }
    }
}

package dev.portoser.examples;

import dev.portoser.plan.Plan;
import dev.portoser.plan.Planner;
import dev.portoser.registry.Registry;
import java.nio.file.Path;

/** Plans the deployment of one service (and what it needs) and prints the dry-run text and the graph. */
public final class DryRunPlan {
    private DryRunPlan() {
    }

    /** Usage: {@code DryRunPlan REGISTRY SERVICE [NAME=VALUE...]}. */
    public static void main(String[] args) {
        var loader = Registry.loader();
        for (int i = 2; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            loader.variable(kv[0], kv[1]);
        }
        Registry registry = loader.build().load(Path.of(args[0]));
        Plan plan = Planner.of(registry).deploy(args[1]);
        System.out.print(plan.render());
        System.out.print(plan.toMermaid());
        System.out.println(Planner.of(registry).impact(plan.steps().get(0).service()).render().strip());
    }
}

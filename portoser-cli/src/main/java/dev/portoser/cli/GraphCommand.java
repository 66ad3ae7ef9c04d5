package dev.portoser.cli;

import dev.portoser.plan.Plan;
import dev.portoser.plan.Planner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code portoser graph}: the dependency graph of the whole registry, for Graphviz or Mermaid. */
@Command(name = "graph", mixinStandardHelpOptions = true,
        description = {"Print the dependency graph of every service, in deployment order.",
                "Render DOT with Graphviz (portoser graph | dot -Tsvg > graph.svg); paste Mermaid into Markdown."})
final class GraphCommand implements Callable<Integer> {
    /** Output formats. */
    enum Format { dot, mermaid }

    @Spec
    CommandSpec spec;

    @Mixin
    RegistryOptions options;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "dot",
            description = "dot or mermaid (default: ${DEFAULT-VALUE}).")
    Format format;

    @Override
    public Integer call() {
        Plan plan = Planner.of(options.load(spec.commandLine().getErr())).all();
        spec.commandLine().getOut().print(format == Format.dot ? plan.toDot() : plan.toMermaid());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}

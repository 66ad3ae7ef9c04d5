package dev.portoser.cli;

import dev.portoser.plan.Impact;
import dev.portoser.plan.Planner;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code portoser impact SERVICE}: what goes down with a service. */
@Command(name = "impact", mixinStandardHelpOptions = true,
        description = "List the services that depend on SERVICE, directly and through others, by machine.")
final class ImpactCommand implements Callable<Integer> {
    /** Version of the {@code --json} document. */
    static final int SCHEMA_VERSION = 1;

    @Spec
    CommandSpec spec;

    @Mixin
    RegistryOptions options;

    @Parameters(paramLabel = "SERVICE", description = "The service.")
    String service;

    @Option(names = "--json", description = "Print the result as one JSON document.")
    boolean json;

    @Override
    public Integer call() {
        Impact impact = Planner.of(options.load(spec.commandLine().getErr())).impact(service);
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("schemaVersion", SCHEMA_VERSION);
            doc.put("service", impact.service());
            doc.put("direct", impact.direct());
            doc.put("transitive", impact.transitive());
            doc.put("byMachine", impact.byMachine());
            spec.commandLine().getOut().println(Json.write(doc));
        } else {
            spec.commandLine().getOut().print(impact.render());
        }
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}

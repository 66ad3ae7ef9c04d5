package dev.portoser.cli;

import dev.portoser.registry.Registry;
import dev.portoser.registry.RegistryException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code portoser registry reload}: have a running Portoser server re-read the registry. There is no server yet
 * (the monitor and dashboard will be one), so it validates the file and says that nothing needs telling: every
 * command reads the file afresh.
 */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = {"Validate the registry and have a running Portoser server re-read it.",
                "No server exists yet: every portoser command reads the file afresh, so nothing else needs telling.",
                "Exits 0 when the registry is valid, 1 when it is not."})
final class ReloadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RegistryOptions options;

    @Override
    public Integer call() {
        Path file = options.locate(System::getenv);
        PrintWriter out = spec.commandLine().getOut();
        try {
            Registry registry = options.loader().load(file);
            registry.warnings().forEach(out::println);
            out.println(file + ": valid: " + registry.machines().size() + " machines, " + registry.services().size()
                    + " services; no Portoser server is running to reload it (every command reads the file afresh)");
            out.flush();
            return ExitCodes.OK;
        } catch (RegistryException e) {
            e.problems().forEach(out::println);
            out.println(file + ": invalid: not reloaded; fix it first");
            out.flush();
            return ExitCodes.FAILED;
        }
    }
}

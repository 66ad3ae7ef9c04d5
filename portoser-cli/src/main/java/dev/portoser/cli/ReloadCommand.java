package dev.portoser.cli;

import dev.portoser.registry.Registry;
import dev.portoser.registry.RegistryException;
import dev.portoser.server.RunningServer;
import dev.portoser.server.ServerException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code portoser registry reload}: validate the registry and have the running {@code portoser serve} re-read it,
 * found through the address file in the state directory.
 */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = {"Validate the registry and have the running portoser serve re-read it.",
                "The server is found through server.json in the state directory; other commands read the file "
                        + "afresh and need no telling.",
                "Exits 0 when the registry is valid (and a running server re-read it), 1 when it is not or the "
                        + "server refused."})
final class ReloadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RegistryOptions options;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where the server keeps its state (default: $PORTOSER_STATE_DIR, config, ~/.portoser).")
    @Nullable Path stateDir;

    @Override
    public Integer call() {
        Path file = options.locate(System::getenv);
        PrintWriter out = spec.commandLine().getOut();
        try {
            Registry registry = options.loader().load(file);
            registry.warnings().forEach(out::println);
            out.println(file + ": valid: " + registry.machines().size() + " machines, " + registry.services().size()
                    + " services");
        } catch (RegistryException e) {
            e.problems().forEach(out::println);
            out.println(file + ": invalid: not reloaded; fix it first");
            out.flush();
            return ExitCodes.FAILED;
        }
        Path dir = OpsCommands.store(stateDir).directory();
        Optional<RunningServer> server = RunningServer.find(dir);
        if (server.isEmpty()) {
            out.println("no portoser serve is running for " + dir + "; every other command reads the file afresh");
            out.flush();
            return ExitCodes.OK;
        }
        try {
            out.println(server.get().reload());
            out.flush();
            return ExitCodes.OK;
        } catch (ServerException e) {
            throw new FailedException(e.getMessage());
        }
    }
}

package dev.portoser.cli;

import dev.portoser.registry.Problem;
import dev.portoser.registry.RegistryException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code portoser registry check-conflicts}: only the clashes between entries, not every field problem. */
@Command(name = "check-conflicts", mixinStandardHelpOptions = true,
        description = {"Report conflicts between entries: port clashes, duplicate names, dependency cycles.",
                "A port clash is two services binding one port on a machine. Exits 1 when there is a conflict."})
final class CheckConflictsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RegistryOptions options;

    static boolean isConflict(Problem p) {
        return p.isError() && (p.message().contains("is already used by service") || p.message().startsWith("duplicate key")
                || p.message().startsWith("circular dependency"));
    }

    @Override
    public Integer call() {
        Path file = options.locate(System::getenv);
        PrintWriter out = spec.commandLine().getOut();
        List<Problem> problems;
        try {
            options.loader().load(file);
            problems = List.of();
        } catch (RegistryException e) {
            problems = e.problems();
        }
        List<Problem> conflicts = problems.stream().filter(CheckConflictsCommand::isConflict).toList();
        conflicts.forEach(out::println);
        long others = problems.stream().filter(Problem::isError).count() - conflicts.size();
        out.println(file + ": " + (conflicts.isEmpty() ? "no conflicts" : conflicts.size() + " conflict"
                + (conflicts.size() == 1 ? "" : "s")) + (others > 0 ? " (and " + others + " other errors: run "
                + "'portoser registry validate')" : ""));
        out.flush();
        return conflicts.isEmpty() ? ExitCodes.OK : ExitCodes.FAILED;
    }
}

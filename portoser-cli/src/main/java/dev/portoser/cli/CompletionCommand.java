package dev.portoser.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code portoser completion}: a bash/zsh completion script, {@code source <(./portoser completion)}. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a bash (and zsh) completion script for portoser.",
                "Use it with: source <(./portoser completion)"})
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(AutoComplete.bash("portoser", spec.commandLine().getParent()));
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}

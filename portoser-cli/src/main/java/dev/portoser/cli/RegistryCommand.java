package dev.portoser.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code portoser registry}: work with the registry file itself. */
@Command(name = "registry", mixinStandardHelpOptions = true,
        description = "Check the registry file, have a running server reload it, or import a Bash Portoser registry.",
        subcommands = {ValidateCommand.class, CheckConflictsCommand.class, ReloadCommand.class,
                ImportBashCommand.class})
final class RegistryCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a registry command is required (validate, check-conflicts, reload, import-bash)");
    }
}

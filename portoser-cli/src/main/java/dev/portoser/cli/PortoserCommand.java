package dev.portoser.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.Command;

/** {@code portoser}: the top-level command. */
@Command(name = "portoser",
        mixinStandardHelpOptions = true,
        versionProvider = PortoserCommand.Version.class,
        description = "Deploy and watch the services of a registry.yml over plain SSH.",
        subcommands = {DemoCommand.class, RegistryCommand.class, MachineCommand.class, ServiceCommand.class,
                DeployCommand.class, LifecycleCommands.Start.class,
                LifecycleCommands.Stop.class, LifecycleCommands.Restart.class, GraphCommand.class, ImpactCommand.class,
                VaultCommand.class, OpsCommands.Health.class, OpsCommands.Status.class, OpsCommands.Logs.class,
                OpsCommands.History.class, HealCommands.Diagnose.class, HealCommands.Heal.class,
                HealCommands.Knowledge.class, ExecCommand.class, ServeCommand.class, CompletionCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  success (for 'registry validate': the registry is valid; warnings allowed)",
                "  1  the command found a failure (an invalid registry, an unknown service, a plan that cannot work)",
                "  2  usage error, or the registry file was not found"})
final class PortoserCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    /** Reads the version Maven wrote into the jar. */
    static final class Version implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Version.class.getResourceAsStream("/dev-portoser-cli-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"portoser " + p.getProperty("version", "(unknown version)"),
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}

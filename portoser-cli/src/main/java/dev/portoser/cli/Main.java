package dev.portoser.cli;

import picocli.CommandLine;

/** Entry point of the {@code portoser} command. */
public final class Main {
    private Main() {
    }

    /**
     * Runs the command line and exits with its code.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line without exiting, for tests and embedding.
     *
     * @param args the arguments
     * @return the exit code
     */
    public static int run(String... args) {
        // Hibernate Validator logs through JBoss Logging; route it to our quiet slf4j setup.
        System.setProperty("org.jboss.logging.provider", "slf4j");
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new PortoserCommand());
        cli.setExecutionExceptionHandler(new OneLineErrors());
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("portoser: " + e.getMessage());
            e.getCommandLine().getErr().println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName()
                    + " --help' for more information.");
            return ExitCodes.USAGE;
        });
        return cli;
    }

    /** Errors in one clear line; the stack trace only with {@code --verbose}. */
    private static final class OneLineErrors implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
            if (e instanceof UsageException) {
                cli.getErr().println("portoser: " + e.getMessage());
                return ExitCodes.USAGE;
            }
            if (e instanceof FailedException || e instanceof dev.portoser.PortoserException) {
                // Expected failures: the message says it all.
                cli.getErr().println("portoser: " + e.getMessage());
                if (parsed.hasMatchedOption("--verbose")) {
                    e.printStackTrace(cli.getErr());
                }
                return ExitCodes.FAILED;
            }
            cli.getErr().println("portoser: " + e.getMessage());
            if (parsed.hasMatchedOption("--verbose")) {
                e.printStackTrace(cli.getErr());
            } else {
                cli.getErr().println("(run with --verbose for details)");
            }
            return ExitCodes.FAILED;
        }
    }
}

package dev.portoser.cli;

import dev.portoser.ErrorMessages;
import java.util.List;
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
        String level = logLevel(System.getenv("PORTOSER_LOG"), List.of(args).contains("--verbose"));
        if (level != null) {
            // simplelogger.properties keeps libraries at WARN and silences the SSH library (its ERROR lines carry
            // stack traces around our one clear line); --verbose or PORTOSER_LOG lets them speak. System
            // properties win over the file, and are read when the first logger is made, which is after this.
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
            for (String library : THIRD_PARTY_LOGGERS) {
                System.setProperty("org.slf4j.simpleLogger.log." + library, level);
            }
        }
        return commandLine().execute(args);
    }

    /** The loggers of libraries that log failures we report ourselves, in one line. */
    static final List<String> THIRD_PARTY_LOGGERS = List.of("net.schmizz", "com.hierynomus");

    /** The levels {@code PORTOSER_LOG} takes, as slf4j-simple names them. */
    static final List<String> LOG_LEVELS = List.of("trace", "debug", "info", "warn", "error", "off");

    /**
     * The level of every library's log: {@code PORTOSER_LOG} when it names one, else {@code info} with
     * {@code --verbose}, else none (the defaults of simplelogger.properties).
     */
    static String logLevel(String environment, boolean verbose) {
        if (environment != null && LOG_LEVELS.contains(environment.strip().toLowerCase(java.util.Locale.ROOT))) {
            return environment.strip().toLowerCase(java.util.Locale.ROOT);
        }
        return verbose ? "info" : null;
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

    /** Whether {@code --verbose} was given to the command or any of its subcommands. */
    static boolean verbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /** "FILE: " when a file system failure is behind the exception (its description does not name the file). */
    private static String aboutFile(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.nio.file.FileSystemException fs && fs.getFile() != null) {
                return fs.getFile() + ": ";
            }
        }
        return "";
    }

    /**
     * Errors in one line of words: our own exceptions by their message, anything else described by
     * {@link ErrorMessages#describe}; the class name and stack trace only with {@code --verbose}.
     */
    private static final class OneLineErrors implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
            boolean verbose = verbose(parsed);
            int code = e instanceof UsageException ? ExitCodes.USAGE : ExitCodes.FAILED;
            String line;
            if (e instanceof UsageException || e instanceof FailedException
                    || e instanceof dev.portoser.PortoserException) {
                // Expected failures: the message says it all (an invalid registry lists one problem a line).
                line = e.getMessage() == null || e.getMessage().isBlank() ? ErrorMessages.describe(e) : e.getMessage();
            } else {
                line = aboutFile(e) + ErrorMessages.describe(e) + (verbose ? "" : " (--verbose shows the details)");
            }
            cli.getErr().println("portoser: " + line);
            if (verbose) {
                e.printStackTrace(cli.getErr());
            }
            return code;
        }
    }
}

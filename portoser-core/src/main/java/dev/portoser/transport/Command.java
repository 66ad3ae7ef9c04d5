package dev.portoser.transport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A command for a {@link Transport}: an argument vector, or a fixed POSIX {@code sh} script with positional
 * arguments ({@code $1}, {@code $2}...), plus optional standard input, working directory, timeout and live output.
 *
 * <pre>{@code
 * Command.of("docker", "compose", "-p", project, "up", "-d")
 *         .workingDirectory(service.path())
 *         .timeout(Duration.ofMinutes(5));
 * Command.script("mkdir -p \"$1\" && cd \"$1\" && ls", path);   // values only ever as positional arguments
 * }</pre>
 *
 * <p>Values from the registry belong in the argument vector or the positional arguments, never spliced into the
 * script text: the transport quotes them with {@link Shell#quote(String)} where a shell is involved. Standard
 * input is the way to pass secrets, which must never appear in arguments. Instances are immutable and
 * thread-safe; the {@code with}-style methods return copies.
 *
 * @param script the {@code sh} script for a script command, or null for an argument vector
 * @param arguments the argument vector, or the script's positional arguments
 * @param stdin bytes for standard input (standard input is closed after them), or null for none
 * @param workingDirectory where to run, absolute or relative to the login's home, or null for the home
 * @param timeout how long the command may run before it is killed and {@link TransportTimeoutException} is thrown
 * @param output receives output lines while the command runs
 */
public record Command(@Nullable String script, List<String> arguments, byte @Nullable [] stdin,
                      @Nullable String workingDirectory, Duration timeout, OutputListener output) {

    /** The timeout of a command that sets none. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    /**
     * Checks and copies the components.
     *
     * @param arguments the arguments
     * @param timeout the timeout
     * @param output the output
     * @param script the script
     * @param stdin the bytes on standard input
     * @param workingDirectory the working directory
     */
    public Command {
        arguments = List.copyOf(arguments);
        Objects.requireNonNull(timeout, "timeout == null");
        Objects.requireNonNull(output, "output == null");
        if (script == null && arguments.isEmpty()) {
            throw new IllegalArgumentException("a command needs a program to run");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        for (String argument : arguments) {
            if (argument.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("an argument cannot contain NUL");
            }
        }
        if (script != null && script.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a script cannot contain NUL");
        }
        stdin = stdin == null ? null : stdin.clone();
    }

    /**
     * A program and its arguments, run without a shell where the transport allows it.
     *
     * @param program the program, found on the PATH
     * @param arguments its arguments
     * @return the command, with the default timeout
     */
    public static Command of(String program, String... arguments) {
        List<String> argv = new ArrayList<>(arguments.length + 1);
        argv.add(Objects.requireNonNull(program, "program == null"));
        argv.addAll(Arrays.asList(arguments));
        return new Command(null, argv, null, null, DEFAULT_TIMEOUT, OutputListener.NONE);
    }

    /**
     * An argument vector.
     *
     * @param argv the program and its arguments
     * @return the command, with the default timeout
     */
    public static Command of(List<String> argv) {
        return new Command(null, argv, null, null, DEFAULT_TIMEOUT, OutputListener.NONE);
    }

    /**
     * A fixed {@code sh} script run with positional arguments: in the script, {@code "$1"} is the first argument.
     *
     * @param script the script; a constant of the caller's code, never built from data
     * @param arguments the positional arguments
     * @return the command, with the default timeout
     */
    public static Command script(String script, String... arguments) {
        return new Command(Objects.requireNonNull(script, "script == null"), Arrays.asList(arguments), null, null,
                DEFAULT_TIMEOUT, OutputListener.NONE);
    }

    /**
     * This command with standard input (copied).
     *
     * @param bytes the bytes
     * @return this command with standard input (copied)
     */
    public Command stdin(byte[] bytes) {
        return new Command(script, arguments, Objects.requireNonNull(bytes, "bytes == null"), workingDirectory,
                timeout, output);
    }

    /**
     * This command run in a directory (absolute, or relative to the login's home).
     *
     * @param directory the directory
     * @return this command run in a directory (absolute, or relative to the login's home)
     */
    public Command workingDirectory(String directory) {
        return new Command(script, arguments, stdin, Objects.requireNonNull(directory, "directory == null"),
                timeout, output);
    }

    /**
     * This command with a timeout.
     *
     * @param limit the limit
     * @return this command with a timeout
     */
    public Command timeout(Duration limit) {
        return new Command(script, arguments, stdin, workingDirectory, limit, output);
    }

    /**
     * This command with a listener for its output lines.
     *
     * @param listener the listener
     * @return this command with a listener for its output lines
     */
    public Command output(OutputListener listener) {
        return new Command(script, arguments, stdin, workingDirectory, timeout, listener);
    }

    /**
     * The argument vector that runs this command: the arguments themselves, or {@code sh -c SCRIPT portoser ARGS}.
     *
     * @return the argument vector that runs this command: the arguments themselves, or {@code sh -c SCRIPT portoser ARGS}
     */
    public List<String> argv() {
        if (script == null) {
            return arguments;
        }
        List<String> argv = new ArrayList<>(arguments.size() + 4);
        argv.add("sh");
        argv.add("-c");
        argv.add(script);
        argv.add("portoser"); // $0
        argv.addAll(arguments);
        return argv;
    }

    /** Shows the program (or that it is a script) and the number of arguments, never their values or stdin. */
    @Override
    public String toString() {
        String what = script != null ? "script" : arguments.get(0);
        return "Command[" + what + ", " + arguments.size() + " arguments" + (stdin == null ? "" : ", stdin")
                + ", timeout=" + timeout + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Command c && Objects.equals(script, c.script) && arguments.equals(c.arguments)
                && Arrays.equals(stdin, c.stdin) && Objects.equals(workingDirectory, c.workingDirectory)
                && timeout.equals(c.timeout) && output.equals(c.output);
    }

    @Override
    public int hashCode() {
        return Objects.hash(script, arguments, Arrays.hashCode(stdin), workingDirectory, timeout, output);
    }
}

package dev.portoser.ssh.internal;

import dev.portoser.transport.Command;
import dev.portoser.transport.Shell;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the command line sent to sshd. The command runs under a small POSIX {@code sh} wrapper so that a
 * timeout can end it completely: on TERM or HUP the wrapper kills the command and all its descendants, which a
 * plain SSH channel close would leave running. TERM arrives as an SSH "signal" request where sshd honours it
 * (not for root logins, which run without privilege separation), and otherwise from {@link #killCommand(String)},
 * which finds the wrapper by the unique name it runs under. The user's argument vector only ever appears as quoted
 * positional arguments.
 */
public final class RemoteWrapper {
    /** Runs "$@" in the background (keeping stdin, which dash would replace by /dev/null) and waits for it. */
    static final String WRAPPER = String.join("\n",
            "trap 'tree \"$child\"; exit 137' TERM HUP INT",
            "tree() { for c in $(pgrep -P \"$1\" 2>/dev/null); do tree \"$c\"; done; kill -KILL \"$1\" 2>/dev/null; }",
            "exec 3<&0",
            "\"$@\" <&3 3<&- &",
            "child=$!",
            "exec 3<&-",
            "wait \"$child\"");

    private RemoteWrapper() {
    }

    /**
     * The command line for a command: {@code [cd DIR &&] exec sh -c WRAPPER portoser-TOKEN ARGV...}, every word
     * quoted. {@code exec} makes the wrapper the session's own process, so a signal reaches it; the token names it.
     *
     * @param command the command
     * @param token a unique token of letters and digits for this run
     * @return the line for the remote login shell
     */
    public static String commandLine(Command command, String token) {
        List<String> words = new ArrayList<>();
        words.add("sh");
        words.add("-c");
        words.add(WRAPPER);
        words.add("portoser-" + token);
        words.addAll(command.argv());
        String line = "exec " + Shell.join(words);
        if (command.workingDirectory() != null) {
            line = "cd -- " + Shell.quote(command.workingDirectory()) + " && " + line;
        }
        return line;
    }

    /**
     * A command that sends TERM to the wrapper running under {@code token} (whose trap then kills its tree).
     * The pattern's bracket keeps it from matching the kill command's own command line.
     *
     * @param token the token given to {@link #commandLine(Command, String)}
     * @return the command
     */
    public static Command killCommand(String token) {
        return Command.of("pkill", "-TERM", "-f", "[p]ortoser-" + token);
    }
}

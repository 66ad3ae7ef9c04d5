package dev.portoser.deploy;

/**
 * The shell functions {@link LocalProcessDeployer} uses on a machine to tell whether a process is ours, offered to
 * other packages (self-healing) so that there is one definition of "ours". Scripts that start with
 * {@link #prelude()} must set {@code base} (the state directory, {@code $HOME/.portoser}) first; then they have
 * {@code instance NAME} (sets {@code state}, {@code pid}, {@code code}, {@code detail} and {@code pidf}),
 * {@code isproc PID}, {@code alive PID}, {@code listeners PORT}, {@code listening PORT}, {@code describe PID},
 * {@code ours PID LEADER}, {@code nolink FILE...} and {@code stopit LEADER TICKS} (signals only a validated leader of
 * our own session).
 */
public final class OwnProcesses {
    /** The program our session leaders run: {@code sh $base/run/portoser-run BASE NAME ...}. */
    public static final String RUNNER = MachineLayout.RUN + "/portoser-run";

    private OwnProcesses() {
    }

    /**
     * The shared shell functions.
     *
     * @return the shell text defining {@code instance}, {@code ours}, {@code stopit} and the other functions
     */
    public static String prelude() {
        return LocalScripts.PRELUDE;
    }
}

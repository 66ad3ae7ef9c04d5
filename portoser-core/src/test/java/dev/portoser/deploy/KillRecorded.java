package dev.portoser.deploy;

/**
 * Test clean-up: kills, with KILL, the process group of every service recorded under {@code $HOME/.portoser/run}
 * (or only the services named as arguments) — but only a recorded PID that is an integer greater than 1, so a test
 * that plants {@code -1} or {@code 0} in a PID file cannot make its own clean-up signal every process.
 */
public final class KillRecorded {
    /** The script; arguments: service names (none: every recorded service). */
    public static final String SCRIPT = """
            if [ "$#" -eq 0 ]; then set -- $(ls "$HOME/.portoser/run" 2>/dev/null | sed -n 's/\\.pid$//p'); fi
            for name do
              for f in "$HOME/.portoser/run/$name.pid" "$HOME/.portoser/run/$name.pid.start"; do
                p=$(head -c 32 "$f" 2>/dev/null | cut -d' ' -f1 | tr -d '\\n')
                case $p in ''|*[!0-9]*) continue ;; esac
                [ "$p" -gt 1 ] && kill -s KILL -- "-$p" 2>/dev/null
              done
            done
            true
            """;

    private KillRecorded() {
    }
}

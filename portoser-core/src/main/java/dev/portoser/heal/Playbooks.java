package dev.portoser.heal;

import dev.portoser.deploy.MachineLayout;
import dev.portoser.registry.Service;
import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The built-in playbooks. Each acts only on what is Portoser's own, and checks again on the machine, at the moment
 * it acts, that it still is: a process is signalled only when its session leader is Portoser's runner for this very
 * service; a PID file is removed only when it does not name our running instance; only our own log files are
 * rotated or truncated. A foreign process on the port is never signalled (no playbook handles
 * {@link FailurePatterns#PORT_FOREIGN}: the diagnosis names its PID and command, and the fix is the user's).
 */
public final class Playbooks {
    /** Bytes of a live log kept when truncating it to free space. */
    public static final long KEEP_LOG_BYTES = 64 * 1024;

    private Playbooks() {
    }

    /**
     * Every built-in playbook.
     *
     * @return a new list of the six built-in playbooks
     */
    public static List<Playbook> builtIns() {
        return List.of(new StopOwnStaleInstance(), new RemoveStalePidFile(), new HealDependency(), new RotateOwnLogs(),
                new StartDockerEngine(), new WaitForMachine(Duration.ofSeconds(2), 5));
    }

    private abstract static class BuiltIn implements Playbook {
        private final String name;
        private final Set<String> fingerprints;

        BuiltIn(String name, String... fingerprints) {
            this.name = name;
            this.fingerprints = Set.of(fingerprints);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean handles(Diagnosis diagnosis) {
            return diagnosis.oursToFix() && fingerprints.contains(diagnosis.fingerprint());
        }

        @Override
        public String toString() {
            return "Playbook[" + name + "]";
        }

        static CommandResult exec(PlaybookContext c, String script, String... args) {
            return c.transport().exec(Command.script(script, args).timeout(c.timeout()));
        }

        static String said(CommandResult r) {
            String out = (r.stdout().strip() + "\n" + r.stderr().strip()).strip();
            return out.isEmpty() ? "exit " + r.exitCode() : out.lines().reduce((a, b) -> a + "; " + b).orElse(out);
        }
    }

    /** Stops an instance of this service that Portoser started and no longer records. */
    static final class StopOwnStaleInstance extends BuiltIn {
        static final String SCRIPT = ObserverScript.FUNCTIONS + """
                name=$1 h=$2 grace=$3
                isproc "$h" || { echo "'$h' is not a process id; nothing was signalled"; exit 3; }
                alive "$h" || { echo "process $h is gone already"; exit 0; }
                sid=$(ps -o sid= -p "$h" 2>/dev/null | tr -d ' ')
                isproc "$sid" || { echo "process $h is gone already"; exit 0; }
                if [ "$(runnerof "$sid")" != "$name" ]; then
                  echo "process $h is not an instance of $name that Portoser started; nothing was signalled"; exit 4
                fi
                instance "$name"
                if [ "$state" = running ] && [ "$pid" = "$sid" ]; then
                  echo "process $h belongs to the recorded instance of $name; nothing was signalled"; exit 4
                fi
                r=$(stopit "$sid" "$grace")
                echo "$r the stale instance of $name (session $sid, which held process $h)"
                """;

        StopOwnStaleInstance() {
            super("stop-own-stale-instance", FailurePatterns.PORT_OWN_STALE);
        }

        @Override
        public String describe(Diagnosis d) {
            return "stop the stale instance of " + d.service() + " (PID " + d.fact("pid") + ") after checking that "
                    + "Portoser started it";
        }

        @Override
        public Result run(Diagnosis d, PlaybookContext c) {
            CommandResult r = exec(c, SCRIPT, c.service().name(), d.fact("pid"), "100");
            return r.succeeded() ? Result.fixed(said(r)) : Result.failed(said(r));
        }
    }

    /** Removes a PID file that names a process that is gone or is not ours; signals nothing. */
    static final class RemoveStalePidFile extends BuiltIn {
        static final String SCRIPT = ObserverScript.FUNCTIONS + """
                instance "$1"
                if [ "$state" = running ]; then echo "$pidf names the running instance of $1; it was kept"; exit 4; fi
                nolink "$pidf" "$pidf.start" "$pidf.config"
                rm -f "$pidf" "$pidf.start" "$pidf.config"
                echo "removed $pidf ($detail); no process was signalled"
                """;

        RemoveStalePidFile() {
            super("remove-stale-pid-file", FailurePatterns.PIDFILE_STALE);
        }

        @Override
        public String describe(Diagnosis d) {
            return "remove the stale PID file " + d.fact("pidFile") + " without signalling process " + d.fact("pid");
        }

        @Override
        public Result run(Diagnosis d, PlaybookContext c) {
            CommandResult r = exec(c, SCRIPT, c.service().name());
            return r.succeeded() ? Result.fixed(said(r)) : Result.failed(said(r));
        }
    }

    /** Heals the dependency first: its own diagnosis and fixes, then starts it and waits until it is healthy. */
    static final class HealDependency extends BuiltIn {
        HealDependency() {
            super("heal-dependency", FailurePatterns.DEPENDENCY_UNHEALTHY);
        }

        @Override
        public String describe(Diagnosis d) {
            return "heal " + d.fact("dependency") + " first (its own diagnosis, then start it and wait until healthy)";
        }

        @Override
        public Result run(Diagnosis d, PlaybookContext c) throws InterruptedException {
            HealReport r = c.healDependency(d.fact("dependency"));
            return new Result(r.healthy(), d.fact("dependency") + ": " + r.outcome().name().toLowerCase(java.util.Locale.ROOT)
                    + " (" + r.detail() + ")");
        }
    }

    /**
     * Frees space on a nearly full file system by removing the rotated copies of Portoser's own logs on it
     * ({@code NAME.log.1}...), then, if still needed, truncating the live logs to their last 64 KiB in place (so a
     * running service goes on writing to the same file). Nothing else is deleted; symbolic links are not followed.
     */
    static final class RotateOwnLogs extends BuiltIn {
        static final String SCRIPT = """
                mnt=$1 limit=$2 keep=$3; shift 3
                mountof() { df -Pk "$1" 2>/dev/null | tail -n 1 | awk '{print $6}'; }
                used() { df -Pk "$mnt" | tail -n 1 | awk '{sub("%", "", $5); print $5}'; }
                plain() { [ -f "$1" ] && [ ! -L "$1" ] && [ "$(mountof "$1")" = "$mnt" ]; }
                for f do
                  case "$f" in /*) ;; *) f="$HOME/$f" ;; esac
                  for g in "$f".[0-9] "$f".[0-9][0-9]; do
                    if plain "$g"; then rm -f "$g" && echo "removed $g"; fi
                  done
                done
                if [ "$(used)" -ge "$limit" ]; then
                  for f do
                    case "$f" in /*) ;; *) f="$HOME/$f" ;; esac
                    if plain "$f" && [ "$(wc -c < "$f")" -gt "$keep" ]; then
                      t=$(tail -c "$keep" "$f"); printf '[portoser: truncated to its last %s bytes to free %s]\\n%s\\n' \\
                        "$keep" "$mnt" "$t" > "$f" && echo "truncated $f"
                    fi
                  done
                fi
                echo "now $(used)% used"
                [ "$(used)" -lt "$limit" ]
                """;

        RotateOwnLogs() {
            super("rotate-own-logs", FailurePatterns.DISK_FULL);
        }

        @Override
        public String describe(Diagnosis d) {
            return "remove the rotated copies of Portoser's own logs on " + d.fact("mount") + ", then truncate its live "
                    + "logs there to their last " + KEEP_LOG_BYTES / 1024 + " KiB if still needed; nothing else";
        }

        @Override
        public Result run(Diagnosis d, PlaybookContext c) {
            List<String> args = new ArrayList<>(List.of(d.fact("mount"),
                    String.valueOf(FailurePatterns.DISK_FULL_PERCENT), String.valueOf(KEEP_LOG_BYTES)));
            for (Service s : c.registry().servicesOn(c.machine().name())) {
                args.add(MachineLayout.logFile(s));
            }
            CommandResult r = exec(c, SCRIPT, args.toArray(String[]::new));
            return r.succeeded() ? Result.fixed(said(r)) : Result.failed(said(r));
        }
    }

    /**
     * Starts the Docker engine where the login may, in this order: an executable
     * {@code ~/.config/portoser/start-docker} of the login (the machine's own start command (for an engine that no init system runs; it must return
     * once the engine is starting, leaving no descriptor of the session open); Docker Desktop on macOS; {@code
     * systemctl start docker} on a machine booted with systemd, or {@code service docker start} where {@code
     * /etc/init.d/docker} exists, as root or with password-less sudo. Otherwise it does nothing and says why.
     */
    static final class StartDockerEngine extends BuiltIn {
        static final String SCRIPT = """
                wait=$1
                hook="${HOME:-/nonexistent}/.config/portoser/start-docker"
                if [ -d /run/systemd/system ]; then how="systemctl start docker"
                elif [ -x /etc/init.d/docker ]; then how="service docker start"
                else how=""; fi
                if [ -x "$hook" ]; then "$hook" </dev/null >/dev/null 2>&1 || { echo "$hook failed with status $?"; exit 3; }
                  echo "ran $hook"
                elif [ "$(uname -s)" = Darwin ]; then open -a Docker || exit 3
                elif [ -z "$how" ]; then
                  echo "the login may not start the Docker engine here: no init system runs it (no systemd, no /etc/init.d/docker) and the login has no executable $hook; nothing was done"; exit 3
                elif [ "$(id -u)" = 0 ]; then $how 2>&1 | tail -n 3
                elif sudo -n true 2>/dev/null; then sudo -n $how 2>&1 | tail -n 3
                else echo "the login may not start the Docker engine here: it is neither root nor allowed password-less sudo to run $how; nothing was done"; exit 3; fi
                i=0
                while [ "$i" -lt "$wait" ]; do
                  if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then echo "the engine answers"; exit 0; fi
                  sleep 1; i=$((i + 1))
                done
                echo "the engine did not answer within $wait s"; exit 1
                """;

        StartDockerEngine() {
            super("start-docker-engine", FailurePatterns.DOCKER_DOWN);
        }

        @Override
        public String describe(Diagnosis d) {
            return "start the Docker engine on " + d.machine() + " if the login may (its ~/.config/portoser/start-docker, "
                    + "or systemd/service as root or with password-less sudo)";
        }

        @Override
        public Result run(Diagnosis d, PlaybookContext c) {
            CommandResult r = exec(c, SCRIPT, "30");
            return r.succeeded() ? Result.fixed(said(r)) : Result.failed(said(r));
        }
    }

    /** Waits for an unreachable machine and tries again, with growing pauses, a bounded number of times. */
    static final class WaitForMachine extends BuiltIn {
        private final Duration first;
        private final int attempts;

        WaitForMachine(Duration first, int attempts) {
            super("wait-for-machine", FailurePatterns.SSH_UNREACHABLE);
            this.first = first;
            this.attempts = attempts;
        }

        @Override
        public String describe(Diagnosis d) {
            return "wait for " + d.machine() + " and try again, " + attempts + " times with pauses from " + first
                    .toSeconds() + " s doubling";
        }

        @Override
        public Result run(Diagnosis d, PlaybookContext c) throws InterruptedException {
            Duration pause = first;
            for (int i = 1; i <= attempts; i++) {
                c.sleeper().sleep(pause);
                if (c.reconnect()) {
                    return Result.fixed(d.machine() + " answers again after " + i + " tries");
                }
                pause = pause.multipliedBy(2);
            }
            return Result.failed(d.machine() + " still cannot be reached after " + attempts + " tries");
        }
    }
}

package dev.portoser.deploy;

import dev.portoser.health.HealthChecks;
import dev.portoser.registry.Service;
import dev.portoser.registry.ServiceType;
import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.Shell;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@code type: local}: the service's {@code command}, started in its {@code path} detached in its own process
 * group ({@code setsid}), with a PID file and an appended log file (rotated by size) under {@code ~/.portoser/}
 * on the machine.
 *
 * <p>Its environment comes from {@code env_file} (sourced if present), {@code env}, {@code PORT} when the service
 * has a port, and its resolved secrets; they reach the process through {@code ~/.portoser/env/NAME.env}, written
 * with mode 0600 over the transport, never through the command line. A changed secret changes the configuration,
 * so rotation restarts the service. When {@code uv} is on the machine and {@code path} holds a
 * {@code pyproject.toml}, {@code uv sync} runs first. Deploying again with the same configuration does nothing; a
 * changed configuration restarts it. Stopping sends TERM to the process group, then KILL after a grace period, and
 * only if the recorded start time proves the PID is still ours. Stateless and thread-safe.
 */
public final class LocalProcessDeployer implements Deployer {
    /** Time between TERM and KILL when stopping. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);
    /** Log size beyond which the log is rotated (to {@code .1}) at the next start. */
    public static final long DEFAULT_MAX_LOG_BYTES = 10L << 20;

    /** A process's start time: clock ticks since boot on Linux (10 ms), else {@code ps}'s start time (1 s). */
    private static final String START_TIME = "starttime() { if [ -r \"/proc/$1/stat\" ]; then "
            + "sed 's/.*) //' \"/proc/$1/stat\" | cut -d' ' -f20; else ps -o lstart= -p \"$1\"; fi; }\n"
            // A zombie answers kill -0 but is dead (where PID 1 does not reap orphans, it stays so forever).
            + "alive() { kill -0 \"$1\" 2>/dev/null && [ \"$(ps -o stat= -p \"$1\" | cut -c1)\" != Z ]; }";

    private static final String STATUS = String.join("\n",
            START_TIME,
            "pidf=\"$HOME/.portoser/run/$1.pid\"",
            "[ -f \"$pidf\" ] || { echo stopped; exit 0; }",
            "pid=$(cat \"$pidf\")",
            "if alive \"$pid\" && [ \"$(starttime \"$pid\")\" = \"$(cat \"$pidf.start\" 2>/dev/null)\" ]; then",
            "  echo \"running $pid $(cat \"$pidf.config\" 2>/dev/null)\"",
            "else",
            "  echo stopped",
            "fi");

    private static final String START = String.join("\n",
            "set -e",
            "umask 077", // PID, config digest and log files are the login user's alone
            START_TIME,
            "name=$1 dir=$2 cmd=$3 log=$4 config=$5 maxlog=$6 userenv=$7",
            "base=\"$HOME/.portoser\"",
            "mkdir -p \"$base/run\" \"$base/logs\" \"$base/env\"",
            "case \"$log\" in /*) ;; *) log=\"$HOME/$log\" ;; esac",
            "mkdir -p \"$(dirname \"$log\")\"",
            "if [ -f \"$log\" ] && [ \"$(wc -c < \"$log\")\" -gt \"$maxlog\" ]; then mv -f \"$log\" \"$log.1\"; fi",
            "cd \"$dir\"",
            "if command -v uv >/dev/null 2>&1 && [ -f pyproject.toml ]; then uv sync >> \"$log\" 2>&1; fi",
            "pidf=\"$base/run/$name.pid\"",
            "rm -f \"$pidf.new\"",
            // The session leader records its own PID: setsid may fork, so $! is not always the group's id.
            "setsid sh -c 'echo $$ > \"$4\"; set -a; if [ -n \"$1\" ] && [ -f \"$1\" ]; then . \"$1\"; fi; . \"$2\"; "
                    + "set +a; exec sh -c \"$3\"'"
                    + " \"portoser-$name\" \"$userenv\" \"$base/env/$name.env\" \"$cmd\" \"$pidf.new\" >> \"$log\" 2>&1 < /dev/null &",
            "i=0; while [ ! -s \"$pidf.new\" ] && [ \"$i\" -lt 100 ]; do sleep 0.05; i=$((i + 1)); done",
            "[ -s \"$pidf.new\" ] || { echo \"the service did not start\" >&2; exit 1; }",
            "pid=$(cat \"$pidf.new\")",
            "mv -f \"$pidf.new\" \"$pidf\"",
            "starttime \"$pid\" > \"$pidf.start\" || true",
            "echo \"$config\" > \"$pidf.config\"",
            "echo \"started $pid\"");

    private static final String STOP = String.join("\n",
            START_TIME,
            "pidf=\"$HOME/.portoser/run/$1.pid\" grace=$2",
            "[ -f \"$pidf\" ] || { echo stopped; exit 0; }",
            "pid=$(cat \"$pidf\")",
            "if ! alive \"$pid\" || [ \"$(starttime \"$pid\")\" != \"$(cat \"$pidf.start\" 2>/dev/null)\" ]; then",
            "  rm -f \"$pidf\" \"$pidf.start\" \"$pidf.config\"; echo stale; exit 0",
            "fi",
            "kill -s TERM -- \"-$pid\" 2>/dev/null || kill -TERM \"$pid\" 2>/dev/null || true",
            "i=0",
            "while alive \"$pid\" && [ \"$i\" -lt \"$grace\" ]; do sleep 0.1; i=$((i + 1)); done",
            "if alive \"$pid\"; then kill -s KILL -- \"-$pid\" 2>/dev/null || kill -KILL \"$pid\"; echo killed; "
                    + "else echo stopped; fi",
            "rm -f \"$pidf\" \"$pidf.start\" \"$pidf.config\"");

    private final Duration grace;
    private final long maxLogBytes;

    /** A deployer with a 10 s stop grace period and 10 MiB log rotation. */
    public LocalProcessDeployer() {
        this(DEFAULT_GRACE, DEFAULT_MAX_LOG_BYTES);
    }

    /**
     * A deployer with its own grace period and log size.
     *
     * @param grace time between TERM and KILL
     * @param maxLogBytes log size that triggers rotation at start
     */
    public LocalProcessDeployer(Duration grace, long maxLogBytes) {
        this.grace = Objects.requireNonNull(grace, "grace == null");
        this.maxLogBytes = maxLogBytes;
    }

    @Override
    public ServiceType type() {
        return ServiceType.LOCAL;
    }

    @Override
    public DeployResult deploy(DeployContext context) {
        String config = configFingerprint(context);
        ServiceStatus status = status(context);
        if (status.runs(config)) {
            return new DeployResult(DeployResult.Change.UNCHANGED, "already running this configuration");
        }
        if (status.isRunning()) {
            stop(context);
        }
        launch(context, config);
        return new DeployResult(status.isRunning() ? DeployResult.Change.RESTARTED : DeployResult.Change.STARTED,
                status.isRunning() ? "restarted: its configuration changed" : "started");
    }

    @Override
    public void start(DeployContext context) {
        if (!status(context).isRunning()) {
            launch(context, configFingerprint(context));
        }
    }

    @Override
    public void stop(DeployContext context) {
        long tenths = Math.max(1, grace.toMillis() / 100);
        run(context, Command.script(STOP, context.service().name(), String.valueOf(tenths))
                .timeout(context.timeout().plus(grace)), "stop");
    }

    /**
     * Whether the service's process runs, as recorded by this deployer.
     *
     * @param context the service, machine and transport
     * @return the status
     */
    @Override
    public ServiceStatus status(DeployContext context) {
        String out = run(context, Command.script(STATUS, context.service().name()).timeout(context.timeout()), "check")
                .stdout().strip();
        String[] f = out.split(" ");
        if (f[0].equals("running") && f.length >= 2) {
            return ServiceStatus.running(java.util.List.of(f[1]), f.length > 2 ? f[2] : null, "process " + f[1] + " runs");
        }
        return ServiceStatus.stopped("no process");
    }

    @Override
    public String logs(DeployContext context, int lines) {
        String log = MachineLayout.logFile(context.service());
        return run(context, Command.of("tail", "-n", String.valueOf(Math.max(1, lines)), "--", log)
                .timeout(context.timeout()), "read the log of").stdout();
    }

    private void launch(DeployContext context, String config) {
        Service s = context.service();
        context.transport().exec(Command.of("mkdir", "-p", ".portoser/env", ".portoser/run", ".portoser/logs")
                .timeout(context.timeout()));
        context.transport().upload(environmentFile(context).getBytes(StandardCharsets.UTF_8),
                ".portoser/env/" + s.name() + ".env", 0600);
        String log = s.logFile() == null ? ".portoser/logs/" + s.name() + ".log"
                : s.logFile().startsWith("/") ? s.logFile() : s.path() + "/" + s.logFile();
        String userEnv = s.envFile() == null ? "" : s.envFile().startsWith("/") ? s.envFile() : s.path() + "/" + s.envFile();
        run(context, Command.script(START, s.name(), s.path(), Objects.requireNonNull(s.command(), "command"), log,
                config, String.valueOf(maxLogBytes), userEnv).timeout(context.timeout()), "start");
    }

    private static CommandResult run(DeployContext context, Command command, String doing) {
        CommandResult r = context.transport().exec(command);
        if (!r.succeeded()) {
            throw new DeployException("cannot " + doing + " " + context.service().name() + " on "
                    + context.machine().name(), r);
        }
        return r;
    }

    /** The env file: {@code PORT}, {@code env} entries, then secrets; each value quoted for sh. */
    static String environmentFile(DeployContext context) {
        Map<String, String> env = new LinkedHashMap<>();
        if (context.port() != null) {
            env.put("PORT", String.valueOf(context.port()));
        }
        env.putAll(context.service().env());
        context.secrets().forEach((name, secret) -> env.put(name, secret.reveal()));
        StringBuilder sb = new StringBuilder("# Written by Portoser; replaced at every deploy.\n");
        env.forEach((k, v) -> sb.append(k).append('=').append(Shell.quote(v)).append('\n'));
        return sb.toString();
    }

    /** A digest of everything that, when changed, requires a restart. */
    static String configFingerprint(DeployContext context) {
        Service s = context.service();
        StringBuilder sb = new StringBuilder();
        sb.append(s.path()).append('\0').append(s.command()).append('\0').append(s.envFile()).append('\0')
                .append(s.logFile()).append('\0').append(context.port()).append('\0').append(environmentFile(context));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /** The PID file of a service, relative to the login's home; the process health check reads it. */
    public static String pidFile(Service service) {
        return HealthChecks.defaultPidFile(service);
    }
}

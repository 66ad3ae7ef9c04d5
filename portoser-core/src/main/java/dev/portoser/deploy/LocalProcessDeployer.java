package dev.portoser.deploy;

import dev.portoser.health.HealthCheck;
import dev.portoser.health.HealthChecks;
import dev.portoser.health.HealthResult;
import dev.portoser.registry.Service;
import dev.portoser.registry.ServiceType;
import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.Shell;
import dev.portoser.transport.TransportException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * {@code type: local}: the service's {@code command}, started in its {@code path} detached in its own session and
 * process group ({@code setsid}), with a PID file and an appended log file (rotated by size) under
 * {@code ~/.portoser/} on the machine (see {@link MachineLayout}).
 *
 * <p>Its environment comes from {@code env_file} (sourced if present), {@code env}, {@code PORT} when the service
 * has a port, and its resolved secrets; they reach the process through {@code ~/.portoser/env/NAME.env}, written
 * with mode 0600 from the command's standard input, never through the command line. A deploy is one round trip:
 * what runs is checked, an instance with another configuration is stopped, the path, the executable and the port
 * are checked (a port held by another process fails the deploy before anything starts, naming that process), and
 * the command starts; the call returns once the process runs. A small wrapper, the session's leader, records the
 * command's exit status, so the {@link #healthChecks contributed check} can report a process that died at once
 * with its status and the tail of its log, and tell our process on the port from a foreign one.
 *
 * <p>Nothing is signalled unless the PID file holds an integer greater than 1 naming the process Portoser started
 * (its recorded start time matches); a garbage, stale or foreign PID file is reported as such by {@link #status}.
 * Files under {@code ~/.portoser} are never written through a symbolic link. When {@code uv} is on the machine and
 * {@code path} holds a {@code pyproject.toml}, {@code uv sync} runs first. Deploying again with the same
 * configuration does nothing; a changed configuration (a rotated secret included) restarts it. Stopping sends TERM
 * to the process group, then KILL after a grace period. Thread-safe. It remembers one thing, for a second: that a
 * deploy which changed nothing saw its instance running and listening on its port, so that the contributed check
 * right after it is answered without another round trip.
 */
public final class LocalProcessDeployer implements Deployer {
    /** Time between TERM and KILL when stopping. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);
    /** Log size beyond which the log is rotated (to {@code .1}) at the next start. */
    public static final long DEFAULT_MAX_LOG_BYTES = 10L << 20;

    /** How long what a deploy saw stands in for the contributed check. */
    private static final Duration SEEN_FOR = Duration.ofSeconds(1);

    private final Duration grace;
    private final long maxLogBytes;
    /** By machine and service: when a deploy that changed nothing saw its instance listening, and what it saw. */
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();

    private record Seen(long atNanos, String detail) {
    }

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
        return launch(context, "deploy");
    }

    @Override
    public void start(DeployContext context) {
        launch(context, "start");
    }

    @Override
    public void stop(DeployContext context) {
        run(context, Command.script(LocalScripts.STOP, context.service().name(), ticks(grace))
                .timeout(context.timeout().plus(grace)), "stop");
    }

    /**
     * What runs, from the process table: {@link ServiceStatus.State#FAILED} with the reason when the PID file is
     * garbage, names a process that is gone or is not ours, or the process exited (with its status).
     */
    @Override
    public ServiceStatus status(DeployContext context) {
        String out = run(context, Command.script(LocalScripts.STATUS, context.service().name())
                .timeout(context.timeout()), "check").stdout().strip();
        String[] f = out.split("\\|", 5);
        if (f.length < 5) {
            return ServiceStatus.unknown("unexpected answer from the machine: " + out);
        }
        String detail = f[4];
        return switch (f[0]) {
            case "running" -> ServiceStatus.running(List.of(f[1]), f[2].isEmpty() ? null : f[2], detail);
            case "failed" -> ServiceStatus.failed(f[3].isEmpty() ? null : Integer.valueOf(f[3]), detail);
            case "stopped" -> ServiceStatus.stopped(detail);
            default -> ServiceStatus.unknown(detail);
        };
    }

    /**
     * One check: the process Portoser started runs (else {@link dev.portoser.health.HealthStatus#DOWN} with its exit
     * status and log tail) and, when the service has a port and something listens on it, the listener belongs to
     * that process's session (else DOWN, naming the PID and command that hold the port). Where the machine cannot
     * show who holds a port, the result says so.
     */
    @Override
    public List<HealthCheck> healthChecks(Service service) {
        return List.of(target -> {
            long start = System.nanoTime();
            Seen byDeploy = seen.remove(target.machine().name() + "/" + service.name());
            if (byDeploy != null && start - byDeploy.atNanos() < SEEN_FOR.toNanos()) {
                return HealthResult.healthy(byDeploy.detail() + " (seen by the deploy)", start);
            }
            Duration timeout = service.healthSpec().map(h -> h.timeout()).orElse(Duration.ofSeconds(5))
                    .plus(Duration.ofSeconds(5));
            String port = service.port() != null ? String.valueOf(service.port())
                    : target.port() != null ? String.valueOf(target.port()) : "";
            CommandResult r;
            try {
                r = target.transport().exec(Command.script(LocalScripts.CHECK, service.name(), port,
                        MachineLayout.logFile(service)).timeout(timeout));
            } catch (TransportException e) {
                return HealthResult.unhealthy("cannot reach " + target.machine().name() + ": " + e.getMessage(), start);
            }
            String[] lines = r.stdout().strip().split("\n", 2);
            String first = lines[0];
            if (first.startsWith("ok ")) {
                return HealthResult.healthy(first.substring(3), start);
            }
            if (first.startsWith("down ")) {
                String tail = lines.length > 1 ? lines[1].strip() : "";
                return HealthResult.down(service.name() + " is not running: " + first.substring(5)
                        + (tail.isEmpty() ? "" : "; last lines of its log:\n" + tail), start);
            }
            if (first.startsWith("foreign ")) {
                return HealthResult.down(first.substring(8), start);
            }
            return HealthResult.unhealthy("cannot tell whether " + service.name() + " runs: exit " + r.exitCode()
                    + " " + r.tail(3), start);
        });
    }

    @Override
    public String logs(DeployContext context, int lines) {
        String log = MachineLayout.logFile(context.service());
        return run(context, Command.of("tail", "-n", String.valueOf(Math.max(1, lines)), "--", log)
                .timeout(context.timeout()), "read the log of").stdout();
    }

    private DeployResult launch(DeployContext context, String mode) {
        Service s = context.service();
        String config = configFingerprint(context);
        String userEnv = s.envFile() == null ? "" : s.envFile().startsWith("/") ? s.envFile() : s.path() + "/" + s.envFile();
        String port = context.port() == null ? "" : String.valueOf(context.port());
        CommandResult r = context.transport().exec(Command.script(LocalScripts.LAUNCH, mode, s.name(), s.path(),
                        Objects.requireNonNull(s.command(), "command"), MachineLayout.logFile(s), config,
                        String.valueOf(maxLogBytes), userEnv, ticks(grace), port, LocalScripts.WRAPPER)
                .stdin(environmentFile(context).getBytes(StandardCharsets.UTF_8))
                .timeout(context.timeout().plus(grace)));
        if (!r.succeeded()) {
            throw new DeployException("cannot start " + s.name() + " on " + context.machine().name() + ": "
                    + firstLine(r.stderr(), "exit " + r.exitCode()), null, r);
        }
        String[] answer = r.stdout().strip().split(" ");
        String pid = answer.length > 1 ? answer[1] : "?";
        if (answer[0].equals("unchanged") && answer.length > 2 && answer[2].equals("listens")) {
            seen.put(context.machine().name() + "/" + s.name(), new Seen(System.nanoTime(), "process " + pid
                    + " runs and listens on port " + port));
        }
        return switch (answer[0]) {
            case "unchanged" -> new DeployResult(DeployResult.Change.UNCHANGED,
                    "already running this configuration (process " + pid + ")");
            case "restarted" -> new DeployResult(DeployResult.Change.RESTARTED, "restarted as process " + pid);
            default -> new DeployResult(DeployResult.Change.STARTED, "started as process " + pid);
        };
    }

    private static String firstLine(String text, String otherwise) {
        String t = text.strip();
        return t.isEmpty() ? otherwise : t.lines().findFirst().orElse(otherwise);
    }

    /** A duration in the 50 ms steps of the stop loop. */
    private static String ticks(Duration d) {
        return String.valueOf(Math.max(1, d.toMillis() / 50));
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
        StringBuilder sb = new StringBuilder("# Written by Portoser; replaced at every deploy.\n");
        environment(context, null).forEach((k, v) -> sb.append(k).append('=').append(Shell.quote(v)).append('\n'));
        return sb.toString();
    }

    /** The environment; with a digest, each secret stands for its version (or keyed digest), never its value. */
    private static Map<String, String> environment(DeployContext context, @Nullable ConfigDigest digest) {
        Map<String, String> env = new LinkedHashMap<>();
        if (context.port() != null) {
            env.put("PORT", String.valueOf(context.port()));
        }
        env.putAll(context.service().env());
        context.secrets().forEach((name, secret) -> env.put(name, digest == null ? secret.reveal()
                : digest.secret(secret)));
        return env;
    }

    /** A keyed digest of everything that, when changed, requires a restart; secrets by version, not value. */
    static String configFingerprint(DeployContext context) {
        Service s = context.service();
        List<String> parts = new ArrayList<>(List.of(s.path(), String.valueOf(s.command()),
                String.valueOf(s.envFile()), String.valueOf(s.logFile()), String.valueOf(context.port())));
        environment(context, context.digest()).forEach((k, v) -> {
            parts.add(k);
            parts.add(v);
        });
        return context.digest().of(parts.toArray(String[]::new));
    }

    /**
     * The PID file of a service, relative to the login's home; the process health check reads it.
     *
     * @param service the service
     * @return the PID file of a service, relative to the login's home; the process health check reads it
     */
    public static String pidFile(Service service) {
        return HealthChecks.defaultPidFile(service);
    }
}

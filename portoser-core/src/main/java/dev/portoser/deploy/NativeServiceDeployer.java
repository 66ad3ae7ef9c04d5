package dev.portoser.deploy;

import dev.portoser.health.HealthCheck;
import dev.portoser.health.HealthResult;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Platform;
import dev.portoser.registry.Service;
import dev.portoser.registry.ServiceType;
import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code type: native}: the service installed into its machine's own service manager, from a file rendered by
 * {@link NativeUnits}: a systemd unit on Linux, a launchd property list on macOS, an rc.d script on BSD. A root
 * login installs a system unit (LaunchDaemon, rc.d script); any other login a user unit (LaunchAgent), with linger
 * enabled so it runs without a session and {@code XDG_RUNTIME_DIR} set so {@code systemctl --user} works over SSH.
 *
 * <p>The machine is probed once (cached per machine): its kernel ({@code uname -s}), its PID 1 and its systemd
 * version. A Linux machine whose PID 1 is not systemd (as in many containers) is refused before anything is
 * written, in one sentence naming systemd. A deploy takes two round trips: one looks (the program's absolute path,
 * resolved in the service's {@code path} with the login's PATH; the recorded digest; what runs), one installs (the
 * unit and the 0600 environment file travel on standard input; the unit is checked with {@code systemd-analyze
 * verify} before anything is replaced, then {@code daemon-reload} and {@code enable --now}, or {@code restart} when
 * another configuration ran). {@code env}, {@code PORT} and the secrets reach the process only through the
 * environment file, never the unit, argv or the journal.
 *
 * <p>Idempotent through a {@link ConfigDigest} over the unit and the environment (secrets by version): the same
 * configuration running is {@link DeployResult.Change#UNCHANGED}, a changed one {@link DeployResult.Change#RESTARTED}.
 * Status and the main PID come from {@code systemctl show}; the contributed health check passes when the unit is
 * active and its main PID alive; logs are {@code journalctl -u UNIT -n N}; stop is idempotent; remove disables and
 * deletes the unit. Thread-safe; the only state kept is the per-machine cache of the probe.
 */
public final class NativeServiceDeployer implements Deployer {
    /** The delay before systemd (launchd, daemon) restarts a crashed service, by default. */
    public static final Duration DEFAULT_RESTART_DELAY = Duration.ofSeconds(1);

    /** The service manager a machine runs. */
    public enum Manager {
        /** systemd (Linux). */
        SYSTEMD,
        /** launchd (macOS). */
        LAUNCHD,
        /** rc.d with daemon(8) (FreeBSD). */
        RCD
    }

    /**
     * What the probe learnt of a machine.
     *
     * @param manager its service manager
     * @param version the manager's version (systemd's number), or 0
     * @param uid the login's user id
     * @param login the login's name
     * @param home the login's home directory
     */
    public record MachineFacts(Manager manager, int version, int uid, String login, String home) {
        /**
         * Checks the components.
         *
         * @param manager its service manager
         * @param version the manager's version (systemd's number), or 0
         * @param uid the login's user id
         * @param login the login's name
         * @param home the login's home directory
         */
        public MachineFacts {
            Objects.requireNonNull(manager, "manager == null");
            Objects.requireNonNull(login, "login == null");
            Objects.requireNonNull(home, "home == null");
        }

        /**
         * Whether the login is root, so that services are installed system-wide (system units, LaunchDaemons).
         *
         * @return true for uid 0
         */
        public boolean root() {
            return uid == 0;
        }

        /** Shown by {@code --dry-run --explain}. */
        @Override
        public String toString() {
            String m = switch (manager) {
                case SYSTEMD -> "systemd " + version + (root() ? " (system unit)" : " (user unit of " + login + ")");
                case LAUNCHD -> "launchd" + (root() ? " (LaunchDaemon)" : " (LaunchAgent of " + login + ")");
                case RCD -> "rc.d";
            };
            return m;
        }
    }

    private static final Pattern SYSTEMD_VERSION = Pattern.compile("^systemd (\\d+)");

    private final Duration restartDelay;
    private final Map<String, MachineFacts> cache = new ConcurrentHashMap<>();

    /** A deployer whose services restart one second after a crash. */
    public NativeServiceDeployer() {
        this(DEFAULT_RESTART_DELAY);
    }

    /**
     * A deployer with its own restart delay.
     *
     * @param restartDelay how long the service manager waits before restarting a crashed service; at least 100 ms
     */
    public NativeServiceDeployer(Duration restartDelay) {
        this.restartDelay = Objects.requireNonNull(restartDelay, "restartDelay == null");
        if (restartDelay.toMillis() < 100) {
            throw new IllegalArgumentException("restartDelay must be at least 100 ms, was " + restartDelay);
        }
    }

    @Override
    public ServiceType type() {
        return ServiceType.NATIVE;
    }

    /**
     * The machine's service manager and login, probed on first use and cached per machine.
     *
     * @param context the service, machine and transport
     * @return what was found
     * @throws DeployException when the machine has no service manager Portoser can use (a Linux whose PID 1 is not
     *     systemd), or runs another system than the registry says
     */
    public MachineFacts facts(DeployContext context) {
        return facts(context.machine(), context.transport(), context.timeout());
    }

    private MachineFacts facts(Machine machine, Transport transport, Duration timeout) {
        String key = machine.name() + "|" + machine.user() + "@" + machine.host() + ":" + machine.sshPort();
        MachineFacts known = cache.get(key);
        if (known != null) {
            return known;
        }
        CommandResult r = transport.exec(Command.script(NativeScripts.PROBE).timeout(timeout));
        Map<String, String> f = new LinkedHashMap<>();
        r.stdout().lines().forEach(l -> {
            int sp = l.indexOf(' ');
            if (sp > 0) {
                f.putIfAbsent(l.substring(0, sp), l.substring(sp + 1).strip());
            }
        });
        if (!r.succeeded() || !f.containsKey("os") || !f.containsKey("uid") || !f.containsKey("home")) {
            throw new DeployException("cannot tell which service manager " + machine.name() + " runs", r);
        }
        String os = f.get("os");
        Platform seen = os.equals("Darwin") ? Platform.DARWIN : os.equals("Linux") ? Platform.LINUX
                : os.toUpperCase(Locale.ROOT).contains("BSD") ? Platform.BSD : null;
        if (seen == null) {
            throw new DeployException(machine.name() + " runs " + os + ", which has no service manager Portoser knows "
                    + "(systemd on Linux, launchd on macOS, rc.d on BSD)", null);
        }
        if (seen != machine.platform()) {
            throw new DeployException("the registry says " + machine.name() + " is platform "
                    + machine.platform().yamlName() + ", but it runs " + os + "; set platform: " + seen.yamlName(), null);
        }
        int uid = Integer.parseInt(f.get("uid").replaceAll("\\D", "").isEmpty() ? "-1" : f.get("uid").replaceAll("\\D", ""));
        String login = f.getOrDefault("login", machine.user());
        MachineFacts facts = switch (seen) {
            case LINUX -> {
                String pid1 = f.getOrDefault("pid1", "");
                if (!pid1.equals("systemd")) {
                    throw new DeployException("cannot install native services on " + machine.name()
                            + ": its PID 1 is " + (pid1.isEmpty() ? "unknown" : "'" + pid1 + "'")
                            + ", not systemd, and native services on Linux need systemd as the service manager", null);
                }
                Matcher m = SYSTEMD_VERSION.matcher(f.getOrDefault("systemd", ""));
                yield new MachineFacts(Manager.SYSTEMD, m.find() ? Integer.parseInt(m.group(1)) : 0, uid, login,
                        f.get("home"));
            }
            case DARWIN -> new MachineFacts(Manager.LAUNCHD, 0, uid, login, f.get("home"));
            case BSD -> {
                if (uid != 0) {
                    throw new DeployException("cannot install native services on " + machine.name() + " as " + login
                            + ": rc.d scripts need a root login (user: root)", null);
                }
                yield new MachineFacts(Manager.RCD, 0, uid, login, f.get("home"));
            }
        };
        cache.put(key, facts);
        return facts;
    }

    @Override
    public DeployResult deploy(DeployContext context) {
        Service s = context.service();
        MachineFacts m = facts(context);
        Look look = look(context, m);
        Rendered rendered = render(context, m, look);
        if (look.status.runs(rendered.digest)) {
            return new DeployResult(DeployResult.Change.UNCHANGED, "already running this configuration (main PID "
                    + String.join(",", look.status.ids()) + ")");
        }
        boolean wasRunning = look.status.isRunning();
        String boundary = "portoser-" + UUID.randomUUID();
        byte[] stdin = (rendered.file + boundary + "\n" + rendered.env).getBytes(StandardCharsets.UTF_8);
        String script = switch (m.manager) {
            case SYSTEMD -> NativeScripts.SYSTEMD_INSTALL;
            case LAUNCHD -> NativeScripts.LAUNCHD_INSTALL;
            case RCD -> NativeScripts.RCD_INSTALL;
        };
        List<String> args = new ArrayList<>(List.of(id(m, s), s.name(), boundary, rendered.digest));
        if (m.manager == Manager.SYSTEMD) {
            // A unit that failed or waits to be restarted is restarted: start would wait for its restart timer.
            args.add(look.status.state() == ServiceStatus.State.STOPPED ? "no" : "yes");
        }
        CommandResult r = context.transport().exec(Command.script(script, args.toArray(String[]::new)).stdin(stdin)
                .timeout(context.timeout()));
        String out = r.stdout();
        if (!r.succeeded()) {
            throw installFailure(context, m, r);
        }
        ServiceStatus now = parseStatus(m, out, rendered.digest);
        if (!now.isRunning()) {
            throw new DeployException(s.name() + " on " + context.machine().name() + " did not stay running: "
                    + now.detail(), null, r);
        }
        String pid = String.join(",", now.ids());
        return wasRunning
                ? new DeployResult(DeployResult.Change.RESTARTED, "restarted " + id(m, s) + " (main PID " + pid + ")")
                : new DeployResult(DeployResult.Change.STARTED, "started " + id(m, s) + " (main PID " + pid + ")");
    }

    @Override
    public void start(DeployContext context) {
        control(context, "start");
    }

    @Override
    public void stop(DeployContext context) {
        control(context, "stop");
    }

    @Override
    public void restart(DeployContext context) {
        control(context, "restart");
    }

    private void control(DeployContext context, String action) {
        MachineFacts m = facts(context);
        Service s = context.service();
        String script = switch (m.manager) {
            case SYSTEMD -> NativeScripts.SYSTEMD_CONTROL;
            case LAUNCHD -> NativeScripts.LAUNCHD_CONTROL;
            case RCD -> NativeScripts.RCD_CONTROL;
        };
        CommandResult r = context.transport().exec(Command.script(script, id(m, s), action).timeout(context.timeout()));
        if (r.stdout().contains("portoser: not installed")) {
            if (action.equals("stop")) {
                return;
            }
            throw new DeployException("cannot " + action + " " + s.name() + " on " + context.machine().name()
                    + ": it is not installed (deploy it first)", null);
        }
        if (!r.succeeded()) {
            throw new DeployException("cannot " + action + " " + s.name() + " on " + context.machine().name() + ": "
                    + DockerComposeDeployer.oneLine(withoutMarkers(r.stdout() + "\n" + r.stderr())), null, r);
        }
    }

    @Override
    public ServiceStatus status(DeployContext context) {
        MachineFacts m = facts(context);
        Service s = context.service();
        String script = switch (m.manager) {
            case SYSTEMD -> NativeScripts.SYSTEMD_STATUS;
            case LAUNCHD -> NativeScripts.LAUNCHD_STATUS;
            case RCD -> NativeScripts.RCD_STATUS;
        };
        CommandResult r = context.transport().exec(Command.script(script, id(m, s), s.name()).timeout(context.timeout()));
        if (!r.succeeded()) {
            return ServiceStatus.unknown("the service manager did not answer: " + r.tail(3));
        }
        return parseStatus(m, r.stdout(), null);
    }

    /**
     * One check: the unit is active and its main PID is alive; {@link dev.portoser.health.HealthStatus#DOWN} with
     * what systemd says (and the journal's last lines) when it failed, is waiting to be restarted, or is stopped.
     */
    @Override
    public List<HealthCheck> healthChecks(Service service) {
        return List.of(target -> {
            long start = System.nanoTime();
            MachineFacts m;
            CommandResult r;
            try {
                m = facts(target.machine(), target.transport(), Duration.ofSeconds(30));
                if (m.manager != Manager.SYSTEMD) {
                    ServiceStatus st = status(new DeployContext(service, target.machine(), target.transport(), null,
                            Duration.ofSeconds(30)));
                    return st.isRunning() ? HealthResult.healthy(st.detail(), start)
                            : HealthResult.down(service.name() + " is not running: " + st.detail(), start);
                }
                r = target.transport().exec(Command.script(NativeScripts.SYSTEMD_CHECK, MachineLayout.unitName(service))
                        .timeout(Duration.ofSeconds(30)));
            } catch (TransportException e) {
                return HealthResult.unhealthy("cannot reach " + target.machine().name() + ": " + e.getMessage(), start);
            } catch (DeployException e) {
                return HealthResult.down(e.getMessage(), start);
            }
            String unit = MachineLayout.unitName(service);
            String[] parts = r.stdout().split("=== journal\n", 2);
            ServiceStatus st = parseStatus(m, parts[0], null);
            String journal = parts.length > 1 ? parts[1].strip() : "";
            boolean alive = parts[0].lines().anyMatch(l -> l.startsWith("alive "));
            if (st.isRunning() && alive) {
                return HealthResult.healthy(unit + " is active, main PID " + String.join(",", st.ids()) + " alive", start);
            }
            if (st.state() == ServiceStatus.State.UNKNOWN) {
                return HealthResult.unhealthy(st.detail(), start);
            }
            String why = st.isRunning() ? unit + " is active but its main PID " + String.join(",", st.ids())
                    + " is gone" : st.detail();
            return HealthResult.down(service.name() + " is not running: " + why
                    + (journal.isEmpty() ? "" : "; last lines of its journal:\n" + journal), start);
        });
    }

    @Override
    public String logs(DeployContext context, int lines) {
        MachineFacts m = facts(context);
        Service s = context.service();
        String n = String.valueOf(Math.max(1, lines));
        CommandResult r = m.manager == Manager.SYSTEMD
                ? context.transport().exec(Command.script(NativeScripts.SYSTEMD_LOGS, MachineLayout.unitName(s), n)
                        .timeout(context.timeout()))
                : context.transport().exec(Command.script(NativeScripts.TAIL_LOG, s.name(), n).timeout(context.timeout()));
        if (r.stdout().contains("portoser: no log")) {
            throw new DeployException(s.name() + " has no log on " + context.machine().name() + " (not deployed?)", null);
        }
        if (!r.succeeded()) {
            throw new DeployException("cannot read the log of " + s.name() + " on " + context.machine().name(), r);
        }
        return r.stdout();
    }

    @Override
    public void remove(DeployContext context) {
        MachineFacts m = facts(context);
        Service s = context.service();
        String script = switch (m.manager) {
            case SYSTEMD -> NativeScripts.SYSTEMD_REMOVE;
            case LAUNCHD -> NativeScripts.LAUNCHD_REMOVE;
            case RCD -> NativeScripts.RCD_REMOVE;
        };
        CommandResult r = context.transport().exec(Command.script(script, id(m, s), s.name()).timeout(context.timeout()));
        if (!r.succeeded()) {
            throw new DeployException("cannot remove " + s.name() + " from " + context.machine().name() + ": "
                    + DockerComposeDeployer.oneLine(withoutMarkers(r.stdout() + "\n" + r.stderr())), null, r);
        }
    }

    /**
     * What a deploy would install: the service manager found, where the file goes, whether it would start,
     * restart or leave the service, the whole unit (property list, rc.d script) and the environment file with
     * secret values masked.
     */
    @Override
    public String explain(DeployContext context) {
        Service s = context.service();
        MachineFacts m = facts(context);
        Look look = look(context, m);
        Rendered rendered = render(context, m, look);
        StringBuilder sb = new StringBuilder();
        sb.append("service manager: ").append(m).append('\n');
        if (look.status.runs(rendered.digest)) {
            sb.append("would do nothing: it already runs this configuration\n");
        } else if (look.status.isRunning()) {
            sb.append("would restart ").append(id(m, s)).append(": its configuration changed\n");
        } else {
            sb.append("would install and start ").append(id(m, s)).append('\n');
        }
        sb.append("--- ").append(installedPath(m, s)).append('\n').append(rendered.file);
        sb.append("--- ").append(m.home).append('/').append(MachineLayout.envFile(s)).append(" (0600)\n")
                .append(environment(context, m, EnvView.MASKED));
        return sb.toString();
    }

    /** Where the unit (plist, script) is installed. */
    private static String installedPath(MachineFacts m, Service s) {
        return switch (m.manager) {
            case SYSTEMD -> (m.root() ? MachineLayout.SYSTEM_UNITS : m.home + "/" + MachineLayout.USER_UNITS) + "/"
                    + MachineLayout.unitName(s);
            case LAUNCHD -> (m.root() ? MachineLayout.LAUNCH_DAEMONS : m.home + "/" + MachineLayout.LAUNCH_AGENTS) + "/"
                    + MachineLayout.launchdLabel(s) + ".plist";
            case RCD -> MachineLayout.RC_D + "/" + MachineLayout.rcName(s);
        };
    }

    /** The service manager's name of the service: unit, label or rc.d name. */
    private static String id(MachineFacts m, Service s) {
        return switch (m.manager) {
            case SYSTEMD -> MachineLayout.unitName(s);
            case LAUNCHD -> MachineLayout.launchdLabel(s);
            case RCD -> MachineLayout.rcName(s);
        };
    }

    private Look look(DeployContext context, MachineFacts m) {
        Service s = context.service();
        List<CommandWords.Word> words = NativeUnits.words(s);
        String program = words.get(0).text();
        List<String> args = new ArrayList<>(List.of(id(m, s), s.path(), program, s.name()));
        String script = switch (m.manager) {
            case SYSTEMD -> {
                s.dependsOn().forEach(d -> args.add("portoser-" + d + ".service"));
                yield NativeScripts.SYSTEMD_LOOK;
            }
            case LAUNCHD -> NativeScripts.LAUNCHD_LOOK;
            case RCD -> NativeScripts.RCD_LOOK;
        };
        CommandResult r = context.transport().exec(Command.script(script, args.toArray(String[]::new))
                .timeout(context.timeout()));
        if (!r.succeeded()) {
            throw installFailure(context, m, r);
        }
        String exe = null;
        List<String> deps = new ArrayList<>();
        boolean noPath = false;
        for (String line : r.stdout().lines().toList()) {
            if (line.startsWith("exe ")) {
                exe = line.substring(4);
            } else if (line.startsWith("dep ")) {
                deps.add(line.substring(4));
            } else if (line.equals("nopath")) {
                noPath = true;
            }
        }
        if (noPath) {
            throw new DeployException("the path " + s.path() + " of " + s.name() + " does not exist on "
                    + context.machine().name(), null);
        }
        if (exe == null) {
            throw new DeployException("the program '" + program + "' of " + s.name() + " was not found on "
                    + context.machine().name() + " (in " + s.path() + ", on the PATH of " + m.login
                    + "); a native service's command must name an executable", null);
        }
        return new Look(exe, deps, parseStatus(m, r.stdout(), null));
    }

    private Rendered render(DeployContext context, MachineFacts m, Look look) {
        Service s = context.service();
        NativeUnits.Target target = new NativeUnits.Target(look.executable, m.home, m.root(), m.version, look.deps,
                restartDelay);
        String file = switch (m.manager) {
            case SYSTEMD -> NativeUnits.systemd(s, target);
            case LAUNCHD -> NativeUnits.launchd(s, target);
            case RCD -> NativeUnits.rcd(s, target);
        };
        String env = environment(context, m, EnvView.VALUE);
        ConfigDigest d = context.digest();
        String digest = d.of("native", m.manager.name(), d.of(file), d.of(environment(context, m, EnvView.DIGEST)));
        return new Rendered(file, env, digest);
    }

    private enum EnvView { VALUE, MASKED, DIGEST }

    /** The environment file: {@code PORT}, {@code env}, then the secrets, in the manager's syntax. */
    private static String environment(DeployContext context, MachineFacts m, EnvView view) {
        Map<String, String> env = new LinkedHashMap<>();
        if (context.port() != null) {
            env.put("PORT", String.valueOf(context.port()));
        }
        env.putAll(context.service().env());
        context.secrets().forEach((k, secret) -> env.put(k, switch (view) {
            case VALUE -> secret.reveal();
            case MASKED -> "********";
            case DIGEST -> context.digest().secret(secret);
        }));
        if (m.manager == Manager.SYSTEMD) {
            return NativeUnits.systemdEnvironment(context.service(), env);
        }
        StringBuilder sb = new StringBuilder("# Written by Portoser for " + context.service().name()
                + "; replaced at every deploy. Do not edit.\n");
        env.forEach((k, v) -> sb.append(k).append('=').append(dev.portoser.transport.Shell.quote(v)).append('\n'));
        return sb.toString();
    }

    /** Reads {@code p KEY=VALUE} lines (and {@code record DIGEST}) into a status. */
    static ServiceStatus parseStatus(MachineFacts m, String out, @Nullable String digestNow) {
        Map<String, String> p = new LinkedHashMap<>();
        String record = null;
        boolean noManager = false;
        List<String> errors = new ArrayList<>();
        for (String line : out.lines().toList()) {
            if (line.startsWith("p ")) {
                String kv = line.substring(2);
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    // The first answer counts: launchctl print repeats keys in nested sections.
                    p.putIfAbsent(kv.substring(0, eq), kv.substring(eq + 1));
                } else {
                    errors.add(kv);
                }
            } else if (line.startsWith("record ")) {
                record = line.substring(7).strip();
            } else if (line.equals("record")) {
                record = "";
            } else if (line.equals("nomanager")) {
                noManager = true;
            }
        }
        String digest = record == null || record.isEmpty() ? null : record;
        return switch (m.manager) {
            case SYSTEMD -> systemdStatus(p, digest, noManager, errors, m);
            case LAUNCHD -> {
                if (!"yes".equals(p.get("loaded"))) {
                    yield ServiceStatus.stopped("not loaded in launchd");
                }
                String pid = p.getOrDefault("pid", "");
                if ("running".equals(p.get("state")) && pid.matches("\\d+") && !pid.equals("0")) {
                    yield ServiceStatus.running(List.of(pid), digest, "launchd runs it as process " + pid);
                }
                String code = p.getOrDefault("last exit code", "");
                yield code.matches("-?\\d+") && !code.equals("0")
                        ? ServiceStatus.failed(Integer.valueOf(code), "it exited with status " + code
                        + " (launchd restarts it)") : ServiceStatus.stopped("loaded, not running");
            }
            case RCD -> {
                if (!"yes".equals(p.get("installed"))) {
                    yield ServiceStatus.stopped("not installed");
                }
                String pid = p.getOrDefault("pid", "");
                yield "yes".equals(p.get("running")) && pid.matches("\\d+")
                        ? ServiceStatus.running(List.of(pid), digest, "daemon(8) runs it as process " + pid)
                        : ServiceStatus.stopped("installed, not running");
            }
        };
    }

    private static ServiceStatus systemdStatus(Map<String, String> p, @Nullable String digest, boolean noManager,
                                               List<String> errors, MachineFacts m) {
        if (noManager) {
            return ServiceStatus.stopped("no user manager runs for " + m.login + " (nothing deployed)");
        }
        String load = p.getOrDefault("LoadState", "");
        if (load.isEmpty()) {
            return ServiceStatus.unknown("systemctl show did not answer" + (errors.isEmpty() ? "" : ": "
                    + String.join("; ", errors)));
        }
        if (load.equals("not-found")) {
            return ServiceStatus.stopped("not installed");
        }
        String active = p.getOrDefault("ActiveState", "");
        String sub = p.getOrDefault("SubState", "");
        String pid = p.getOrDefault("MainPID", "0");
        String how = exit(p);
        if (active.equals("active") && pid.matches("\\d+") && !pid.equals("0")) {
            // A unit file changed behind the running instance (daemon-reload pending) does not run what it says.
            String d = "yes".equals(p.get("NeedDaemonReload")) ? null : digest;
            return ServiceStatus.running(List.of(pid), d, "active (" + sub + "), main PID " + pid);
        }
        if (active.equals("activating") && sub.equals("auto-restart")) {
            return ServiceStatus.failed(code(p), "it " + how + "; systemd restarts it");
        }
        if (active.equals("failed")) {
            return ServiceStatus.failed(code(p), "failed: it " + how + " (result " + p.getOrDefault("Result", "?")
                    + ")");
        }
        if (active.equals("inactive")) {
            return ServiceStatus.stopped("inactive (stopped)");
        }
        return ServiceStatus.unknown(active + " (" + sub + ")");
    }

    private static @Nullable Integer code(Map<String, String> p) {
        String code = p.getOrDefault("ExecMainStatus", "");
        return how(p).equals("exited") && code.matches("\\d+") ? Integer.valueOf(code) : null;
    }

    private static String exit(Map<String, String> p) {
        String status = p.getOrDefault("ExecMainStatus", "");
        return switch (how(p)) {
            case "exited" -> "exited with status " + status;
            case "killed" -> "was killed by signal " + status;
            default -> "ended";
        };
    }

    /** systemctl show gives ExecMainCode as the number of waitid's si_code (1 exited, 2 killed, 3 dumped). */
    private static String how(Map<String, String> p) {
        return switch (p.getOrDefault("ExecMainCode", "")) {
            case "1", "exited" -> "exited";
            case "2", "3", "killed", "dumped" -> "killed";
            default -> "";
        };
    }

    private static DeployException installFailure(DeployContext context, MachineFacts m, CommandResult r) {
        Service s = context.service();
        String out = r.stdout();
        String where = " on " + context.machine().name();
        String rest = DockerComposeDeployer.oneLine(withoutMarkers(out + "\n" + r.stderr()));
        if (out.contains("portoser: link ")) {
            String link = out.lines().filter(l -> l.startsWith("portoser: link ")).findFirst().orElse("").substring(15);
            return new DeployException("refusing to install " + s.name() + where + ": " + link
                    + " is a symbolic link", null, r);
        }
        if (out.contains("portoser: invalid")) {
            String check = m.manager == Manager.SYSTEMD ? "systemd-analyze verify" : m.manager == Manager.LAUNCHD
                    ? "plutil -lint" : "sh -n";
            return new DeployException("the generated file for " + s.name() + " does not pass " + check + where
                    + ", so nothing was changed: " + rest, null, r);
        }
        if (out.contains("portoser: nolinger")) {
            return new DeployException("cannot enable linger for " + m.login + where + " (needed so that a user unit "
                    + "runs without a login session): " + rest + "; ask root to run 'loginctl enable-linger "
                    + m.login + "'", null, r);
        }
        if (out.contains("portoser: nomanager")) {
            return new DeployException("no systemd user manager runs for " + m.login + where + " (no "
                    + "$XDG_RUNTIME_DIR/bus after enabling linger)", null, r);
        }
        if (out.contains("portoser: notroot")) {
            return new DeployException("rc.d scripts need a root login" + where, null, r);
        }
        if (out.contains("portoser: start failed")) {
            return new DeployException(s.name() + " did not start" + where + ": " + rest, null, r);
        }
        return new DeployException("cannot install " + s.name() + where + ": exit " + r.exitCode()
                + (rest.isEmpty() ? "" : ", " + rest), null, r);
    }

    private static String withoutMarkers(String out) {
        StringBuilder sb = new StringBuilder();
        out.lines().filter(l -> !l.startsWith("portoser: ") && !l.startsWith("p ") && !l.startsWith("record"))
                .forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }

    private record Look(String executable, List<String> deps, ServiceStatus status) {
    }

    private record Rendered(String file, String env, String digest) {
    }
}

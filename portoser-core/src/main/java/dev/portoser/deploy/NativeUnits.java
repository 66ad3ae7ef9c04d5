package dev.portoser.deploy;

import dev.portoser.registry.Resources;
import dev.portoser.registry.Service;
import dev.portoser.transport.Shell;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The files a {@code native} service is installed with, rendered from the registry: a systemd unit (Linux), a
 * launchd property list (macOS) and an rc.d script (BSD). Pure functions of the service and of what was learnt about
 * its machine ({@link Target}); no file holds a secret or an {@code env} value, which reach the process through the
 * 0600 environment file ({@link MachineLayout#envFile}). Every value from the registry is quoted for the file's
 * syntax (systemd's {@code %} specifiers and {@code $} expansion, XML, {@code sh}), or refused with a sentence when
 * it cannot be (a line break in a command). Stateless and thread-safe.
 */
public final class NativeUnits {
    /** The first systemd version that knows {@code RestartSteps=} and {@code RestartMaxDelaySec=}. */
    public static final int SYSTEMD_BACKOFF = 254;
    /** The first systemd version that knows {@code Type=exec}. */
    public static final int SYSTEMD_TYPE_EXEC = 240;
    /** How long a crash loop may take before the service manager gives up: the start limit's interval. */
    public static final Duration START_LIMIT_INTERVAL = Duration.ofMinutes(5);
    /** How many starts the start limit allows in its interval. */
    public static final int START_LIMIT_BURST = 10;
    /** The longest delay between restarts, where systemd backs off ({@link #SYSTEMD_BACKOFF}). */
    public static final Duration MAX_RESTART_DELAY = Duration.ofSeconds(60);

    private static final String HEADER = "# Written by Portoser for %s; replaced at every deploy. Do not edit.\n";

    private NativeUnits() {
    }

    /**
     * What the renderers need to know about the machine and the install.
     *
     * @param executable the command's program, as an absolute path on the machine
     * @param home the login's home directory on the machine
     * @param root whether the login is root (a system unit, a LaunchDaemon, an rc.d script) or not (a user unit,
     *     a LaunchAgent)
     * @param managerVersion the service manager's version, such as systemd's {@code 252}; 0 when unknown
     * @param dependencies the units of the services this one depends on that run on the same machine
     * @param restartDelay the delay before the first restart after a crash
     */
    public record Target(String executable, String home, boolean root, int managerVersion, List<String> dependencies,
                         Duration restartDelay) {
        /**
         * Checks the components.
         *
         * @param executable the command's program, as an absolute path on the machine
         * @param home the login's home directory on the machine
         * @param root whether the login is root
         * @param managerVersion the service manager's version, or 0 when unknown
         * @param dependencies the units of same-machine dependencies
         * @param restartDelay the delay before the first restart after a crash, at least 100 ms
         * @throws IllegalArgumentException when a path is not absolute or the delay is below 100 ms
         */
        public Target {
            Objects.requireNonNull(executable, "executable == null");
            Objects.requireNonNull(home, "home == null");
            if (!executable.startsWith("/")) {
                throw new IllegalArgumentException("the executable must be an absolute path, was " + executable);
            }
            if (!home.startsWith("/")) {
                throw new IllegalArgumentException("the home directory must be an absolute path, was " + home);
            }
            dependencies = List.copyOf(dependencies);
            if (restartDelay.isNegative() || restartDelay.toMillis() < 100) {
                throw new IllegalArgumentException("restartDelay must be at least 100 ms, was " + restartDelay);
            }
        }

        /**
         * A target without same-machine dependencies, restarting after one second.
         *
         * @param executable the program's absolute path
         * @param home the login's home
         * @param root whether the login is root
         * @param managerVersion the service manager's version, or 0
         * @return the target
         */
        public static Target of(String executable, String home, boolean root, int managerVersion) {
            return new Target(executable, home, root, managerVersion, List.of(), Duration.ofSeconds(1));
        }

        /**
         * This target with the units of same-machine dependencies.
         *
         * @param units the dependencies' unit names, for {@code After=} and {@code Wants=}
         * @return a new target
         */
        public Target withDependencies(List<String> units) {
            return new Target(executable, home, root, managerVersion, units, restartDelay);
        }

        /**
         * This target with another first restart delay.
         *
         * @param delay the delay before the first restart, at least 100 ms
         * @return a new target
         */
        public Target withRestartDelay(Duration delay) {
            return new Target(executable, home, root, managerVersion, dependencies, delay);
        }
    }

    /**
     * The absolute path of a service's environment file on the machine.
     *
     * @param service the service
     * @param target the machine's facts (its login's home)
     * @return the path, under the login's {@code ~/.portoser/env}
     */
    public static String envFilePath(Service service, Target target) {
        return target.home() + "/" + MachineLayout.envFile(service);
    }

    /**
     * The systemd unit: restarts on failure with a delay (backing off where systemd is 254 or later), a deliberate
     * start limit, {@code MemoryMax}/{@code CPUQuota} from {@code resources}, hardening that a normal service does
     * not notice (for system units; user units get {@code NoNewPrivileges} only, since the rest needs privileges a
     * user manager may not have), ordered after its same-machine dependencies.
     *
     * @param service the service; its {@code command} must be set
     * @param target what is known about the machine
     * @return the unit file's text
     * @throws DeployException when the command or a path cannot be written into a unit
     */
    public static String systemd(Service service, Target target) {
        List<CommandWords.Word> words = words(service);
        StringBuilder u = new StringBuilder(String.format(HEADER, service.name()));
        u.append("[Unit]\n");
        u.append("Description=").append(description(service)).append('\n');
        List<String> after = new ArrayList<>();
        if (target.root()) {
            after.add("network-online.target");
        }
        after.addAll(target.dependencies());
        if (!after.isEmpty()) {
            u.append("After=").append(String.join(" ", after)).append('\n');
        }
        List<String> wants = new ArrayList<>(target.root() ? List.of("network-online.target") : List.of());
        wants.addAll(target.dependencies());
        if (!wants.isEmpty()) {
            u.append("Wants=").append(String.join(" ", wants)).append('\n');
        }
        u.append("StartLimitIntervalSec=").append(START_LIMIT_INTERVAL.toSeconds()).append('\n');
        u.append("StartLimitBurst=").append(START_LIMIT_BURST).append('\n');
        u.append("\n[Service]\n");
        u.append("Type=").append(target.managerVersion() == 0 || target.managerVersion() >= SYSTEMD_TYPE_EXEC
                ? "exec" : "simple").append('\n');
        u.append("WorkingDirectory=").append(unitPath(service, "path", service.path())).append('\n');
        u.append("EnvironmentFile=").append(unitPath(service, "environment file", envFilePath(service, target)))
                .append('\n');
        u.append("ExecStart=").append(unitWord(target.executable(), true));
        for (CommandWords.Word w : words.subList(1, words.size())) {
            u.append(' ').append(unitWord(w));
        }
        u.append('\n');
        u.append("Restart=on-failure\n");
        u.append("RestartSec=").append(seconds(target.restartDelay())).append('\n');
        if (target.managerVersion() >= SYSTEMD_BACKOFF) {
            u.append("RestartSteps=5\n");
            u.append("RestartMaxDelaySec=").append(MAX_RESTART_DELAY.toSeconds()).append('\n');
        }
        Resources r = service.resources();
        if (r != null && r.memory() != null) {
            u.append("MemoryMax=").append(bytes(r.memory())).append('\n');
        }
        if (r != null && r.cpus() != null) {
            u.append("CPUQuota=").append(Math.max(1, Math.round(r.cpus() * 100))).append("%\n");
        }
        u.append("NoNewPrivileges=yes\n");
        if (target.root()) {
            u.append("PrivateTmp=yes\n");
            u.append("ProtectSystem=full\n");
        }
        u.append("\n[Install]\n");
        u.append("WantedBy=").append(target.root() ? "multi-user.target" : "default.target").append('\n');
        return u.toString();
    }

    /**
     * The systemd environment file ({@code EnvironmentFile=}) for these variables: each value in double quotes,
     * with {@code \}, {@code "}, {@code $} and {@code `} escaped, so systemd reads it back exactly (line breaks
     * included).
     *
     * @param service the service, for the header
     * @param env the variables, in order
     * @return the file's text
     */
    public static String systemdEnvironment(Service service, Map<String, String> env) {
        StringBuilder sb = new StringBuilder(String.format(HEADER, service.name()));
        env.forEach((k, v) -> {
            if (!k.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new DeployException("cannot pass " + k + " to " + service.name()
                        + ": not an environment variable name", null);
            }
            if (v.indexOf('\0') >= 0) {
                throw new DeployException("cannot pass " + k + " to " + service.name() + ": its value holds NUL", null);
            }
            StringBuilder q = new StringBuilder("\"");
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == '\\' || c == '"' || c == '$' || c == '`') {
                    q.append('\\');
                }
                q.append(c);
            }
            sb.append(k).append('=').append(q).append("\"\n");
        });
        return sb.toString();
    }

    /**
     * The launchd property list: the command run by {@code /bin/sh}, which reads the 0600 environment file first
     * (so no value is in the plist), restarted when it exits unsuccessfully ({@code KeepAlive} with
     * {@code SuccessfulExit} false) no more often than the restart delay allows ({@code ThrottleInterval}), its
     * output in Portoser's log.
     *
     * @param service the service; its {@code command} must be set
     * @param target what is known about the machine
     * @return the property list's XML
     */
    public static String launchd(Service service, Target target) {
        String log = target.home() + "/" + MachineLayout.LOGS + "/" + service.name() + ".log";
        StringBuilder p = new StringBuilder();
        p.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        p.append("<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
                + "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n");
        p.append("<!-- ").append(String.format(HEADER, xml(service.name())).strip().substring(2)).append(" -->\n");
        p.append("<plist version=\"1.0\">\n<dict>\n");
        key(p, "Label", MachineLayout.launchdLabel(service));
        p.append("  <key>ProgramArguments</key>\n  <array>\n");
        for (String a : List.of("/bin/sh", "-c", shellCommand(service, target))) {
            p.append("    <string>").append(xml(a)).append("</string>\n");
        }
        p.append("  </array>\n");
        key(p, "WorkingDirectory", service.path());
        p.append("  <key>RunAtLoad</key>\n  <true/>\n");
        p.append("  <key>KeepAlive</key>\n  <dict>\n    <key>SuccessfulExit</key>\n    <false/>\n  </dict>\n");
        p.append("  <key>ThrottleInterval</key>\n  <integer>")
                .append(Math.max(1, (target.restartDelay().toMillis() + 999) / 1000)).append("</integer>\n");
        key(p, "StandardOutPath", log);
        key(p, "StandardErrorPath", log);
        p.append("</dict>\n</plist>\n");
        return p.toString();
    }

    /**
     * The rc.d script: {@code daemon(8)} supervises the command and restarts it ({@code -r}, after the restart
     * delay with {@code -R}), writing its own and the child's PID files and the output to Portoser's log; the
     * command runs by {@code /bin/sh}, which reads the 0600 environment file first. Passes {@code sh -n}.
     *
     * @param service the service; its {@code command} must be set
     * @param target what is known about the machine
     * @return the script's text
     */
    public static String rcd(Service service, Target target) {
        String name = MachineLayout.rcName(service);
        String log = target.home() + "/" + MachineLayout.LOGS + "/" + service.name() + ".log";
        List<String> daemon = new ArrayList<>(List.of("-r", "-R",
                String.valueOf(Math.max(1, (target.restartDelay().toMillis() + 999) / 1000)),
                "-P", "/var/run/" + name + ".pid", "-p", "/var/run/" + name + ".child.pid", "-o", log,
                "-t", name, "/bin/sh", "-c", shellCommand(service, target)));
        StringBuilder s = new StringBuilder("#!/bin/sh\n");
        s.append(String.format(HEADER, service.name()));
        s.append("#\n# PROVIDE: ").append(name).append('\n');
        s.append("# REQUIRE: LOGIN NETWORKING\n# KEYWORD: shutdown\n\n");
        s.append(". /etc/rc.subr\n\n");
        s.append("name=").append(name).append('\n');
        s.append("rcvar=").append(name).append("_enable\n");
        s.append("load_rc_config \"$name\"\n");
        s.append(": \"${").append(name).append("_enable:=NO}\"\n");
        s.append("pidfile=/var/run/").append(name).append(".pid\n");
        s.append("procname=/usr/sbin/daemon\n");
        s.append("command=/usr/sbin/daemon\n");
        // rc.subr evaluates command_args once more, so it holds the arguments as quoted words.
        s.append("command_args=").append(Shell.quote(Shell.join(daemon))).append('\n');
        s.append("\nrun_rc_command \"$1\"\n");
        return s.toString();
    }

    /**
     * The {@code sh -c} text of launchd and rc.d: read the environment file (exporting it), enter the path, and
     * {@code exec} the command, every literal quoted and variables as {@code "${NAME}"}.
     */
    static String shellCommand(Service service, Target target) {
        List<CommandWords.Word> words = words(service);
        StringBuilder c = new StringBuilder("set -a; . ").append(Shell.quote(envFilePath(service, target)))
                .append("; set +a; cd ").append(Shell.quote(service.path())).append(" && exec ")
                .append(Shell.quote(target.executable()));
        for (CommandWords.Word w : words.subList(1, words.size())) {
            c.append(' ');
            if (w.literal()) {
                c.append(Shell.quote(w.text()));
            } else {
                for (CommandWords.Part part : w.parts()) {
                    c.append(part.variable() ? "\"${" + part.text() + "}\"" : part.text().isEmpty() ? ""
                            : Shell.quote(part.text()));
                }
            }
        }
        return c.toString();
    }

    static List<CommandWords.Word> words(Service service) {
        if (service.command() == null || service.command().isBlank()) {
            throw new DeployException(service.name() + " has no command: a native service needs one", null);
        }
        return CommandWords.split(service.name(), service.command());
    }

    /** A word of {@code ExecStart=}: plain when it can be, else double-quoted with C escapes. */
    private static String unitWord(CommandWords.Word w) {
        if (w.literal()) {
            return unitWord(w.text(), false);
        }
        StringBuilder sb = new StringBuilder("\"");
        for (CommandWords.Part p : w.parts()) {
            sb.append(p.variable() ? "${" + p.text() + "}" : escapeInQuotes(p.text()));
        }
        return sb.append('"').toString();
    }

    private static String unitWord(String text, boolean program) {
        // A program's first character could be a prefix (-, @, +, :, !); it is always absolute here.
        if (!text.isEmpty() && text.matches("[A-Za-z0-9_./:,=+@-]+") && (!program || text.startsWith("/"))) {
            return text;
        }
        return "\"" + escapeInQuotes(text) + "\"";
    }

    /** Inside a double-quoted ExecStart word: specifiers, variables, C escapes, quotes. */
    private static String escapeInQuotes(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '%' -> sb.append("%%");
                case '$' -> sb.append("$$");
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\'' -> sb.append("\\'");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    /** A path for a unit's directive: specifiers escaped; quotes, backslashes and control characters refused. */
    private static String unitPath(Service service, String what, String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\'' || c == '\\') {
                throw new DeployException("cannot write the " + what + " " + path + " of " + service.name()
                        + " into a systemd unit: it holds a quote, a backslash or a control character", null);
            }
        }
        return path.replace("%", "%%");
    }

    /** One line of text: control characters become spaces, specifiers are escaped, no trailing backslash. */
    private static String description(Service service) {
        String d = service.description() != null && !service.description().isBlank() ? service.description()
                : "Portoser service " + service.name();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < d.length(); i++) {
            char c = d.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        String one = sb.toString().strip();
        while (one.endsWith("\\")) {
            one = one.substring(0, one.length() - 1).strip();
        }
        return one.replace("%", "%%");
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? String.valueOf(ms / 1000) : ms + "ms";
    }

    /** A registry size (512M, 1G, 200MiB, 1.5g; units of 1024 as Docker reads them) in bytes. */
    static long bytes(String size) {
        String s = size.strip();
        int i = 0;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
            i++;
        }
        String unit = s.substring(i).toLowerCase(Locale.ROOT);
        int power = unit.isEmpty() ? 0 : switch (unit.charAt(0)) {
            case 'k' -> 1;
            case 'm' -> 2;
            case 'g' -> 3;
            case 't' -> 4;
            default -> 0;
        };
        return new BigDecimal(s.substring(0, i)).multiply(BigDecimal.valueOf(1024).pow(power))
                .setScale(0, RoundingMode.DOWN).longValueExact();
    }

    private static void key(StringBuilder p, String key, String value) {
        p.append("  <key>").append(key).append("</key>\n  <string>").append(xml(value)).append("</string>\n");
    }

    /** XML text: markup characters as entities; control characters other than tab and newline are refused. */
    private static String xml(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '-' -> sb.append(i > 0 && s.charAt(i - 1) == '-' ? "&#45;" : "-");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n' || c == 0x7f) {
                        throw new DeployException("cannot write a control character into a property list", null);
                    }
                    sb.append(c);
                }
            }
        }
        return sb.toString();
    }
}

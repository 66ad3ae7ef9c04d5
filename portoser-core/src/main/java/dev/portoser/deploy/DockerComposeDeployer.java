package dev.portoser.deploy;

import dev.portoser.health.HealthCheck;
import dev.portoser.health.HealthResult;
import dev.portoser.health.HealthTarget;
import dev.portoser.registry.Machine;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code type: docker}: the service's Compose stack, run in its {@code path} with its {@code compose_file} and its
 * {@code env_file} (as Compose's {@code --env-file}), under the pinned project name {@code portoser-NAME}.
 *
 * <p>Compose v2 ({@code docker compose}) is used where the machine has it, else v1 ({@code docker-compose}); the
 * choice is detected once per machine and cached ({@link #compose(DeployContext)}, shown by {@link #explain}).
 * The registry's {@code env}, the service's secrets, {@code resources} (memory, cpus) and {@code port_mapping}
 * reach Compose through two generated files in {@code ~/.portoser/compose/NAME/} ({@link MachineLayout#composeDir}):
 * an env file (mode 0600) that every service of the stack reads, and an override file passed as a second
 * {@code -f}. Nothing goes through argv, and the user's files are never edited. Both files travel on standard
 * input of the one script that installs them and runs {@code up -d --remove-orphans} (with {@code --wait} on
 * Compose v2), so a deploy takes two SSH round trips (look, then act) and one channel at a time.
 *
 * <p>Idempotent: a {@link ConfigDigest} over the Compose file's contents, the override, the env file (secrets by
 * {@link ConfigDigest#secret version}, not value), the user's env file and the project is recorded on the machine;
 * when it matches and every container runs, deploying does nothing at all. A new compose file is checked with
 * {@code config -q} before anything runs, so a broken one fails with Compose's message and leaves the running
 * version as it was. A deploy that would change the project name of a stack whose named volumes hold data (a
 * renamed service, a stack first started by hand) is refused, since Compose would silently start on new, empty
 * volumes.
 *
 * <p>Stop is {@code stop}, remove is {@code down} (never with {@code --volumes}), logs are {@code logs --tail N}.
 * Status reads the project's containers from the engine (by Compose's project label, as {@code compose ps -a}
 * does, and {@code docker inspect}); the contributed health check passes when they run and, for those whose image
 * defines a healthcheck, Compose reports them healthy; it answers DOWN with the exit code and log tail when they
 * exited. Thread-safe; the only state kept is the per-machine cache of the Compose version.
 */
public final class DockerComposeDeployer implements Deployer {
    /** Time {@code stop} gives containers before killing them, by default. */
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);

    /** Which Compose a machine has. */
    public enum Flavor {
        /** {@code docker compose}, the Go plugin. */
        V2,
        /** {@code docker-compose}, the Python program. */
        V1
    }

    /**
     * The Compose of one machine, as detected.
     *
     * @param flavor v2 or v1
     * @param version its version, such as {@code 2.26.1}
     * @param home the login's home directory on the machine
     */
    public record ComposeCli(Flavor flavor, String version, String home) {
        /**
         * Checks the components.
         *
         * @param flavor the flavor
         * @param version the version
         * @param home the home
         */
        public ComposeCli {
            Objects.requireNonNull(flavor, "flavor == null");
            Objects.requireNonNull(version, "version == null");
            Objects.requireNonNull(home, "home == null");
        }

        /**
         * The command, as a person would type it.
         *
         * @return the command, as a person would type it
         */
        public String command() {
            return flavor == Flavor.V2 ? "docker compose" : "docker-compose";
        }

        /**
         * Whether {@code up --wait} exists (Compose v2.1 and later).
         *
         * @return whether {@code up --wait} exists (Compose v2.1 and later)
         */
        public boolean hasWait() {
            return flavor == Flavor.V2 && !version.matches("2\\.0(\\..*)?");
        }

        /** Shown by {@code --dry-run}. */
        @Override
        public String toString() {
            return command() + " " + version;
        }
    }

    private static final String COMPOSE_FN = "compose() { if [ \"$flavor\" = V2 ]; then docker compose \"$@\"; "
            + "else docker-compose \"$@\"; fi; }";

    private static final String DETECT = String.join("\n",
            "echo \"home $HOME\"",
            "command -v docker >/dev/null 2>&1 || { echo nodocker; exit 0; }",
            "if out=$(docker version --format '{{.Server.Version}}' 2>&1); then :; else",
            "  echo engine; printf '%s\\n' \"$out\"; exit 0; fi",
            "if v=$(docker compose version --short 2>/dev/null) && [ -n \"$v\" ]; then echo \"V2 $v\"",
            "elif command -v docker-compose >/dev/null 2>&1 && v=$(docker-compose version --short 2>/dev/null); then",
            "  echo \"V1 $v\"",
            "else echo nocompose; fi");

    /** The project's containers (not one-off runs), one line each. */
    private static final String CONTAINERS = String.join("\n",
            "containers() {",
            "  ids=$(docker ps -aq --no-trunc --filter \"label=com.docker.compose.project=$1\" "
                    + "--filter label=com.docker.compose.oneoff=False) || return 1",
            "  [ -z \"$ids\" ] || docker inspect --format '{{.Id}}|{{.State.Status}}|{{.State.ExitCode}}|"
                    + "{{with index .State \"Health\"}}{{.Status}}{{end}}|"
                    + "{{index .Config.Labels \"com.docker.compose.service\"}}|{{.Name}}' $ids",
            "}");

    private static final String STATUS = String.join("\n",
            CONTAINERS,
            "project=$1 dir=$2",
            "out=$(containers \"$project\" 2>&1) || { echo '=== error'; printf '%s\\n' \"$out\"; exit 0; }",
            "echo '=== digest'; head -n 1 \"$dir/digest\" 2>/dev/null",
            "[ -f \"$dir/stopped\" ] && echo '=== stopped'",
            "echo '=== containers'; [ -z \"$out\" ] || printf '%s\\n' \"$out\"");

    /** Everything a deploy needs to decide, in one round trip; the two user files come last, after a boundary. */
    private static final String PROBE = String.join("\n",
            CONTAINERS,
            "path=$1 file=$2 userenv=$3 project=$4 dir=$5 base=$6 b=$7",
            "out=$(containers \"$project\" 2>&1) || { echo '=== error'; printf '%s\\n' \"$out\"; exit 0; }",
            "echo '=== digest'; cat \"$dir/digest\" 2>/dev/null",
            "[ -f \"$dir/stopped\" ] && echo '=== stopped'",
            "echo '=== containers'; [ -z \"$out\" ] || printf '%s\\n' \"$out\"",
            "echo '=== volumes'",
            "docker volume ls -q --filter label=com.docker.compose.volume | while read -r v; do",
            "  docker volume inspect --format '{{.Name}}|{{index .Labels \"com.docker.compose.project\"}}|"
                    + "{{index .Labels \"com.docker.compose.volume\"}}' \"$v\"",
            "done",
            "echo '=== stacks'",
            "for s in \"$base\"/*/stack; do [ -f \"$s\" ] && printf '%s|%s\\n' \"$(basename \"$(dirname \"$s\")\")\" "
                    + "\"$(head -n 1 \"$s\")\"; done",
            "cd -- \"$path\" 2>/dev/null || { echo '=== nopath'; exit 0; }",
            "if [ -f \"$file\" ]; then echo \"$b file\"; cat -- \"$file\"; echo; else echo \"$b nofile\"; fi",
            "if [ -n \"$userenv\" ] && [ -f \"$userenv\" ]; then echo \"$b userenv\"; cat -- \"$userenv\"; echo; fi",
            "true");

    /**
     * Installs the override and env file from standard input (override, boundary line, env file), checks the
     * stack with {@code config -q} (restoring the previous files when it fails), then brings it up.
     */
    private static final String DEPLOY = String.join("\n",
            "umask 077",
            COMPOSE_FN,
            "flavor=$1 path=$2 file=$3 userenv=$4 project=$5 dir=$6 b=$7 digest=$8 wait=$9",
            "shift 9",
            "cd -- \"$path\" || { echo 'portoser: no such directory'; exit 3; }",
            "[ -f \"$file\" ] || { echo 'portoser: no compose file'; exit 3; }",
            "mkdir -p -- \"$dir\" && [ ! -L \"$dir\" ] || { echo 'portoser: the compose directory is a link'; exit 3; }",
            "for f in override.yml portoser.env; do [ ! -L \"$dir/$f\" ] || rm -f -- \"$dir/$f\"; done",
            ": > \"$dir/override.yml.new\"",
            "while IFS= read -r line; do [ \"$line\" = \"$b\" ] && break; printf '%s\\n' \"$line\" >> \"$dir/override.yml.new\"; done",
            "cat > \"$dir/portoser.env.new\"",
            "for f in override.yml portoser.env; do",
            "  if [ -f \"$dir/$f\" ]; then cp -p -- \"$dir/$f\" \"$dir/$f.prev\"; else rm -f -- \"$dir/$f.prev\"; fi",
            "  mv -f -- \"$dir/$f.new\" \"$dir/$f\"",
            "done",
            "restore() { for f in override.yml portoser.env; do if [ -f \"$dir/$f.prev\" ]; then mv -f -- \"$dir/$f.prev\" "
                    + "\"$dir/$f\"; else rm -f -- \"$dir/$f\"; fi; done; }",
            "set -- -p \"$project\" -f \"$file\" -f \"$dir/override.yml\"",
            "[ -n \"$userenv\" ] && set -- \"$@\" --env-file \"$userenv\"",
            "[ \"$flavor\" = V1 ] && set -- --compatibility \"$@\"",
            "if ! out=$(compose \"$@\" config -q 2>&1); then restore; echo 'portoser: invalid'; printf '%s\\n' \"$out\"; exit 4; fi",
            "rm -f -- \"$dir/stopped\" \"$dir/digest\"",
            "printf '%s\\n%s\\n' \"$path\" \"$file\" > \"$dir/stack\"",
            "if [ \"$wait\" = yes ]; then set -- \"$@\" up -d --remove-orphans --wait; else set -- \"$@\" up -d --remove-orphans; fi",
            "if compose \"$@\" 2>&1; then",
            "  rm -f -- \"$dir/override.yml.prev\" \"$dir/portoser.env.prev\"",
            "  printf '%s\\n' \"$digest\" | tr ',' '\\n' > \"$dir/digest\"",
            "  echo 'portoser: up'",
            "else",
            "  rc=$?; echo 'portoser: up failed'; exit 5",
            "fi");

    /** Runs one Compose command on an installed stack: {@code $1} flavor, then the arguments after the files. */
    private static final String ON_STACK = String.join("\n",
            COMPOSE_FN,
            "flavor=$1 path=$2 file=$3 userenv=$4 project=$5 dir=$6 mark=$7",
            "shift 7",
            "if [ ! -f \"$dir/override.yml\" ]; then echo 'portoser: not installed'; exit 0; fi",
            "cd -- \"$path\" 2>/dev/null || cd",
            "if [ \"$flavor\" = V2 ]; then",
            // v2 finds a project's containers by name, even when the user's file is gone.
            "  if [ -f \"$file\" ]; then set -- -p \"$project\" -f \"$file\" -f \"$dir/override.yml\" \"$@\"; "
                    + "else set -- -p \"$project\" \"$@\"; fi",
            "else",
            "  set -- --compatibility -p \"$project\" -f \"$file\" -f \"$dir/override.yml\" \"$@\"",
            "fi",
            "[ -n \"$userenv\" ] && [ -f \"$userenv\" ] && set -- --env-file \"$userenv\" \"$@\"",
            "compose \"$@\" 2>&1 || exit",
            "case $mark in set) : > \"$dir/stopped\" ;; clear) rm -f -- \"$dir/stopped\" ;; esac");

    private static final Pattern NOT_RUNNING = Pattern.compile(
            "Cannot connect to the Docker daemon|Is the docker daemon running|error during connect", Pattern.CASE_INSENSITIVE);
    private static final Pattern DENIED = Pattern.compile(
            "permission denied while trying to connect to the Docker daemon", Pattern.CASE_INSENSITIVE);
    private static final Pattern PULL = Pattern.compile(
            "pull access denied|manifest unknown|failed to resolve reference|registry-1\\.docker\\.io|"
                    + "error pulling|no such image|not found: manifest|Error response from daemon: Get ", Pattern.CASE_INSENSITIVE);

    private final Duration stopTimeout;
    private final Map<String, ComposeCli> cache = new ConcurrentHashMap<>();

    /** A deployer that gives containers 10 s to stop. */
    public DockerComposeDeployer() {
        this(DEFAULT_STOP_TIMEOUT);
    }

    /**
     * A deployer with its own stop timeout ({@code stop -t}).
     *
     * @param stopTimeout how long containers may take to stop before they are killed; at least one second
     */
    public DockerComposeDeployer(Duration stopTimeout) {
        this.stopTimeout = Objects.requireNonNull(stopTimeout, "stopTimeout == null");
        if (stopTimeout.toSeconds() < 1) {
            throw new IllegalArgumentException("stopTimeout must be at least 1 s, was " + stopTimeout);
        }
    }

    @Override
    public ServiceType type() {
        return ServiceType.DOCKER;
    }

    /**
     * The project name of a service: {@code portoser-NAME}, pinned.
     *
     * @param service the service
     * @return the project name of a service: {@code portoser-NAME}, pinned
     */
    public static String projectName(Service service) {
        return "portoser-" + service.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The Compose of the context's machine, detected on first use and cached per machine (name, login, host and SSH port).
     *
     * @param context the service, machine and transport
     * @return the Compose found
     * @throws DeployException when Docker is absent or not running, the socket is refused, or there is no Compose
     */
    public ComposeCli compose(DeployContext context) {
        return compose(context.machine(), context.transport(), context.timeout());
    }

    private ComposeCli compose(Machine machine, Transport transport, Duration timeout) {
        String key = machine.name() + "|" + machine.user() + "@" + machine.host() + ":" + machine.sshPort();
        ComposeCli known = cache.get(key);
        if (known != null) {
            return known;
        }
        CommandResult r = transport.exec(Command.script(DETECT).timeout(timeout));
        List<String> lines = r.stdout().lines().toList();
        String home = lines.isEmpty() ? "" : lines.get(0).replaceFirst("^home ", "");
        String answer = lines.size() < 2 ? "" : lines.get(1);
        String where = " on " + machine.name();
        if (!r.succeeded() || home.isEmpty() || answer.isEmpty()) {
            throw new DeployException("cannot tell whether Docker runs" + where, r);
        }
        if (answer.equals("nodocker")) {
            throw new DeployException("Docker is not installed" + where + " (no docker command on the PATH of "
                    + machine.user() + ")", null);
        }
        if (answer.equals("engine")) {
            String said = String.join(" ", lines.subList(2, lines.size())).strip();
            throw engineError(machine, said);
        }
        if (answer.equals("nocompose")) {
            throw new DeployException("Docker Compose is not installed" + where
                    + " (neither `docker compose` nor `docker-compose` answers)", null);
        }
        String[] f = answer.split(" ", 2);
        ComposeCli cli = new ComposeCli(Flavor.valueOf(f[0]), f.length > 1 ? f[1].strip().replaceFirst("^v", "") : "?",
                home);
        cache.put(key, cli);
        return cli;
    }

    /** The one-line error for what the Docker client said when it could not talk to the engine. */
    static DeployException engineError(Machine machine, String said) {
        if (DENIED.matcher(said).find()) {
            return new DeployException("the login " + machine.user() + " on " + machine.name()
                    + " may not use the Docker socket (add it to the docker group): " + firstLine(said), null);
        }
        if (NOT_RUNNING.matcher(said).find()) {
            return new DeployException("Docker is not running on " + machine.name() + ": " + firstLine(said), null);
        }
        return new DeployException("Docker does not answer on " + machine.name() + ": " + firstLine(said), null);
    }

    @Override
    public DeployResult deploy(DeployContext context) {
        ComposeCli cli = compose(context);
        Service s = context.service();
        Probe probe = probe(context, cli);
        if (probe.composeFile == null) {
            throw new DeployException("the compose file " + composeFile(s) + " of " + s.name() + " does not exist on "
                    + context.machine().name(), null);
        }
        ComposeFiles.UserFile userFile = ComposeFiles.read(probe.composeFile);
        guardProjectName(context, userFile, probe);
        Generated g = generate(context, cli, userFile, probe);
        ServiceStatus before = probe.status;
        if (before.runs(g.digest)) {
            return new DeployResult(DeployResult.Change.UNCHANGED, "already running this configuration");
        }
        String boundary = "portoser-" + UUID.randomUUID();
        byte[] stdin = (g.override + boundary + "\n" + ComposeFiles.envFile(context, ComposeFiles.SecretView.VALUE))
                .getBytes(StandardCharsets.UTF_8);
        CommandResult r = context.transport().exec(Command.script(DEPLOY, cli.flavor().name(), s.path(),
                        composeFile(s), userEnv(s), projectName(s), composeDir(cli, s), boundary,
                        g.digest + "," + String.join(",", g.parts), cli.hasWait() ? "yes" : "no")
                .stdin(stdin).timeout(context.timeout()));
        if (!r.succeeded()) {
            throw deployError(context, r);
        }
        boolean wasRunning = before.isRunning();
        String why = wasRunning ? "recreated: " + changes(probe.recordedParts, g.parts) : "started";
        return new DeployResult(wasRunning ? DeployResult.Change.RESTARTED : DeployResult.Change.STARTED, why);
    }

    private DeployException deployError(DeployContext context, CommandResult r) {
        Service s = context.service();
        String where = " on " + context.machine().name();
        List<String> out = r.stdout().lines().filter(l -> !l.isBlank()).toList();
        String said = out.stream().filter(l -> !l.startsWith("portoser: ")).reduce((a, b) -> a + "\n" + b).orElse("");
        if (NOT_RUNNING.matcher(said).find() || DENIED.matcher(said).find()) {
            return engineError(context.machine(), said);
        }
        if (r.exitCode() == 3) {
            String what = out.isEmpty() ? "" : out.get(out.size() - 1).replaceFirst("^portoser: ", "");
            if (what.equals("no compose file")) {
                return new DeployException("the compose file " + composeFile(s) + " of " + s.name()
                        + " does not exist" + where, null);
            }
            return new DeployException("cannot deploy " + s.name() + where + ": " + what + " (" + s.path() + ")", null);
        }
        if (r.exitCode() == 4) {
            return new DeployException("the compose file " + composeFile(s) + " of " + s.name() + " is invalid"
                    + where + "; Compose says: " + oneLine(said) + " (nothing was changed)", null);
        }
        if (PULL.matcher(said).find()) {
            return new DeployException("an image of " + s.name() + " cannot be pulled" + where + ": "
                    + oneLine(lastLines(said, 2)), null);
        }
        return new DeployException("Compose could not bring up " + s.name() + where + ": " + oneLine(lastLines(said, 3)),
                null);
    }

    @Override
    public void start(DeployContext context) {
        ComposeCli cli = compose(context);
        ServiceStatus status = status(context);
        if (status.isRunning()) {
            return;
        }
        CommandResult r = onStack(context, cli, "clear", cli.hasWait() ? List.of("up", "-d", "--remove-orphans", "--wait")
                : List.of("up", "-d", "--remove-orphans"));
        if (r.stdout().contains("portoser: not installed")) {
            deploy(context);
            return;
        }
        if (!r.succeeded()) {
            throw deployError(context, r);
        }
    }

    @Override
    public void stop(DeployContext context) {
        ComposeCli cli = compose(context);
        CommandResult r = onStack(context, cli, "set", List.of("stop", "-t", String.valueOf(stopTimeout.toSeconds())));
        if (!r.succeeded()) {
            throw new DeployException("cannot stop " + context.service().name() + " on " + context.machine().name()
                    + ": " + oneLine(lastLines(r.stdout(), 3)), null);
        }
    }

    /**
     * Stops the stack and removes its containers and networks with {@code down} (never {@code --volumes}: named
     * volumes and their data stay), then the generated files.
     */
    @Override
    public void remove(DeployContext context) {
        ComposeCli cli = compose(context);
        CommandResult r = onStack(context, cli, "keep", List.of("down", "--remove-orphans", "-t",
                String.valueOf(stopTimeout.toSeconds())));
        if (!r.succeeded()) {
            throw new DeployException("cannot remove " + context.service().name() + " on "
                    + context.machine().name() + ": " + oneLine(lastLines(r.stdout(), 3)), null);
        }
        context.transport().exec(Command.script("[ -L \"$1\" ] || rm -rf -- \"$1\"", composeDir(cli,
                context.service())).timeout(context.timeout()));
    }

    @Override
    public ServiceStatus status(DeployContext context) {
        CommandResult r = context.transport().exec(Command.script(STATUS, projectName(context.service()),
                MachineLayout.composeDir(context.service())).timeout(context.timeout()));
        Sections sec = Sections.parse(r.stdout(), null);
        if (!r.succeeded() || sec.has("error")) {
            return ServiceStatus.unknown("Docker did not answer on " + context.machine().name() + ": "
                    + oneLine(sec.get("error")));
        }
        return status(sec);
    }

    private static ServiceStatus status(Sections sec) {
        List<Container> containers = Container.parse(sec.get("containers"));
        String digest = sec.get("digest").lines().findFirst().map(String::strip).filter(l -> !l.isEmpty()).orElse(null);
        return conclude(containers, digest, sec.has("stopped"));
    }

    static ServiceStatus conclude(List<Container> containers, @Nullable String digest, boolean stopped) {
        List<String> running = containers.stream().filter(Container::running).map(Container::id).toList();
        if (stopped && running.isEmpty()) {
            return ServiceStatus.stopped(containers.isEmpty() ? "no containers" : "stopped");
        }
        List<Container> failed = containers.stream().filter(Container::failed).toList();
        if (!failed.isEmpty()) {
            Container c = failed.get(0);
            return ServiceStatus.failed(c.exitCode, "container " + c.name + " (" + c.service + ") " + c.state
                    + " with exit code " + c.exitCode);
        }
        if (!running.isEmpty()) {
            return ServiceStatus.running(running, digest, running.size() + " container(s) running");
        }
        if (containers.isEmpty() || digest == null) {
            return ServiceStatus.stopped(containers.isEmpty() ? "no containers" : "containers stopped");
        }
        Container c = containers.get(0);
        return ServiceStatus.failed(c.exitCode, "container " + c.name + " (" + c.service + ") " + c.state
                + " with exit code " + c.exitCode + " without being stopped");
    }

    @Override
    public List<HealthCheck> healthChecks(Service service) {
        return List.of(target -> containerHealth(target));
    }

    private HealthResult containerHealth(HealthTarget target) {
        long start = System.nanoTime();
        Service s = target.service();
        CommandResult r;
        try {
            r = target.transport().exec(Command.script(STATUS + "\n"
                            + "for id in $(docker ps -aq --no-trunc --filter \"label=com.docker.compose.project=$1\" "
                            + "--filter status=exited); do echo \"=== log $id\"; docker logs --tail 5 \"$id\" 2>&1; done",
                    projectName(s), MachineLayout.composeDir(s)).timeout(Duration.ofSeconds(30)));
        } catch (TransportException e) {
            return HealthResult.unhealthy("cannot reach " + target.machine().name() + ": " + e.getMessage(), start);
        }
        Sections sec = Sections.parse(r.stdout(), null);
        if (!r.succeeded() || sec.has("error")) {
            return HealthResult.unhealthy("Docker did not answer: " + oneLine(sec.get("error")), start);
        }
        List<Container> containers = Container.parse(sec.get("containers"));
        if (containers.isEmpty()) {
            return HealthResult.down("no container of " + s.name() + " exists (project " + projectName(s) + ")", start);
        }
        List<String> notes = new ArrayList<>();
        for (Container c : containers) {
            if (!c.running()) {
                if (c.state.equals("exited") && c.exitCode == 0 && containers.stream().anyMatch(Container::running)) {
                    continue; // a one-shot container of the stack that finished
                }
                String log = sec.sections.entrySet().stream().filter(e -> e.getKey().equals("log " + c.id))
                        .map(Map.Entry::getValue).findFirst().orElse("");
                return HealthResult.down("container " + c.name + " (" + c.service + ") " + c.state + " with exit code "
                        + c.exitCode + (log.isBlank() ? "" : "; last log lines: " + oneLine(log)), start);
            }
            if (!c.health.isEmpty() && !c.health.equals("healthy")) {
                return HealthResult.unhealthy("container " + c.name + " (" + c.service + ") is " + c.health, start);
            }
            notes.add(c.service + (c.health.isEmpty() ? " running" : " healthy"));
        }
        return HealthResult.healthy("containers: " + String.join(", ", notes), start);
    }

    @Override
    public String logs(DeployContext context, int lines) {
        ComposeCli cli = compose(context);
        CommandResult r = onStack(context, cli, "keep", List.of("logs", "--no-color", "--tail", String.valueOf(Math.max(1, lines))));
        if (r.stdout().contains("portoser: not installed")) {
            throw new DeployException(context.service().name() + " is not deployed on " + context.machine().name()
                    + ", so it has no log", null);
        }
        if (!r.succeeded()) {
            throw new DeployException("cannot read the log of " + context.service().name() + " on "
                    + context.machine().name() + ": " + oneLine(lastLines(r.stdout(), 3)), null);
        }
        return r.stdout();
    }

    /**
     * What a deploy would do and install: the Compose found, the project, the files, the generated override and
     * the env file with secret values masked, and whether the stack would be recreated (and why).
     */
    @Override
    public String explain(DeployContext context) {
        ComposeCli cli = compose(context);
        Service s = context.service();
        Probe probe = probe(context, cli);
        StringBuilder sb = new StringBuilder();
        sb.append("compose: ").append(cli).append(" (up -d --remove-orphans").append(cli.hasWait() ? " --wait" : "")
                .append(")\n");
        sb.append("project: ").append(projectName(s)).append(" in ").append(s.path()).append('\n');
        String dir = composeDir(cli, s);
        sb.append("files: ").append(composeFile(s)).append(" + ").append(dir).append("/override.yml");
        if (s.envFile() != null) {
            sb.append(", --env-file ").append(userEnv(s));
        }
        sb.append('\n');
        if (probe.composeFile == null) {
            return sb.append("would fail: the compose file ").append(composeFile(s)).append(" does not exist\n").toString();
        }
        ComposeFiles.UserFile userFile = ComposeFiles.read(probe.composeFile);
        try {
            guardProjectName(context, userFile, probe);
        } catch (DeployException e) {
            sb.append("would refuse: ").append(e.getMessage()).append('\n');
        }
        Generated g = generate(context, cli, userFile, probe);
        if (probe.status.runs(g.digest)) {
            sb.append("would do nothing: it already runs this configuration\n");
        } else if (probe.status.isRunning()) {
            sb.append("would recreate ").append(s.name()).append(": ").append(changes(probe.recordedParts, g.parts))
                    .append('\n');
        } else {
            sb.append("would start ").append(s.name()).append('\n');
        }
        sb.append("--- ").append(dir).append("/override.yml\n").append(g.override);
        sb.append("--- ").append(dir).append("/portoser.env (0600)\n")
                .append(ComposeFiles.envFile(context, ComposeFiles.SecretView.MASKED));
        return sb.toString();
    }

    /** Refuses to give a stack whose named volumes hold data under another project name a new, empty set. */
    private static void guardProjectName(DeployContext context, ComposeFiles.UserFile file, Probe probe) {
        Service s = context.service();
        String ours = projectName(s);
        Set<String> earlier = new LinkedHashSet<>();
        earlier.add(defaultProjectName(s.path()));
        if (file.name() != null) {
            earlier.add(file.name());
        }
        probe.stacks.forEach((service, path) -> {
            if (!service.equals(s.name()) && path.equals(s.path())) {
                earlier.add("portoser-" + service.toLowerCase(Locale.ROOT));
            }
        });
        earlier.remove(ours);
        for (String key : file.projectVolumes()) {
            boolean haveOurs = probe.volumes.stream().anyMatch(v -> v[1].equals(ours) && v[2].equals(key));
            if (haveOurs) {
                continue;
            }
            for (String[] v : probe.volumes) {
                if (v[2].equals(key) && earlier.contains(v[1])) {
                    throw new DeployException("refusing to deploy " + s.name() + " as Compose project " + ours
                            + ": its named volume '" + key + "' holds the data of project '" + v[1] + "' (volume "
                            + v[0] + "), and under the new name Compose would start on a new, empty volume. Move the "
                            + "data into " + ours + "_" + key + ", or give the volume `name: " + v[0]
                            + "` in the compose file, then deploy again", null);
                }
            }
        }
    }

    /** The project name Compose derives from a directory when none is given. */
    static String defaultProjectName(String path) {
        String base = path.replaceAll("/+$", "");
        base = base.substring(base.lastIndexOf('/') + 1);
        return base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "");
    }

    private Generated generate(DeployContext context, ComposeCli cli, ComposeFiles.UserFile userFile, Probe probe) {
        Service s = context.service();
        String override = ComposeFiles.override(s, userFile, composeDir(cli, s) + "/portoser.env");
        String envForDigest = ComposeFiles.envFile(context, ComposeFiles.SecretView.DIGEST);
        ConfigDigest d = context.digest();
        List<String> parts = List.of(
                "compose file " + d.of(probe.composeFile),
                "override " + d.of(override),
                "env " + d.of(envForDigest),
                "env_file " + d.of(s.envFile(), probe.userEnv),
                "project " + d.of(projectName(s), s.path(), composeFile(s)));
        String digest = d.of(parts.toArray(String[]::new));
        return new Generated(override, digest, parts);
    }

    private static String changes(List<String> recorded, List<String> now) {
        List<String> changed = new ArrayList<>();
        for (String part : now) {
            if (!recorded.contains(part)) {
                changed.add(part.substring(0, part.lastIndexOf(' ')) + " changed");
            }
        }
        return changed.isEmpty() ? "its containers are not all running" : String.join(", ", changed);
    }

    private Probe probe(DeployContext context, ComposeCli cli) {
        Service s = context.service();
        String boundary = "portoser-" + UUID.randomUUID();
        CommandResult r = context.transport().exec(Command.script(PROBE, s.path(), composeFile(s), userEnv(s),
                projectName(s), composeDir(cli, s), cli.home() + "/" + MachineLayout.COMPOSE, boundary)
                .timeout(context.timeout()));
        Sections sec = Sections.parse(r.stdout(), boundary);
        if (!r.succeeded() || sec.has("error")) {
            throw engineError(context.machine(), sec.get("error") + (r.succeeded() ? "" : r.stderr()));
        }
        if (sec.has("nopath")) {
            throw new DeployException("the path " + s.path() + " of " + s.name() + " does not exist on "
                    + context.machine().name(), null);
        }
        List<String> recorded = sec.get("digest").lines().skip(1).toList();
        List<String[]> volumes = sec.get("volumes").lines().map(l -> l.split("\\|", -1)).filter(f -> f.length == 3)
                .toList();
        Map<String, String> stacks = new LinkedHashMap<>();
        sec.get("stacks").lines().map(l -> l.split("\\|", 2)).filter(f -> f.length == 2)
                .forEach(f -> stacks.put(f[0], f[1]));
        String file = sec.boundary.get("file");
        return new Probe(status(sec), recorded, volumes, stacks, file == null ? null : stripOneNewline(file),
                sec.boundary.containsKey("userenv") ? stripOneNewline(sec.boundary.get("userenv")) : null);
    }

    private CommandResult onStack(DeployContext context, ComposeCli cli, String mark, List<String> args) {
        Service s = context.service();
        List<String> all = new ArrayList<>(List.of(cli.flavor().name(), s.path(), composeFile(s), userEnv(s),
                projectName(s), composeDir(cli, s), mark));
        all.addAll(args);
        return context.transport().exec(Command.script(ON_STACK, all.toArray(String[]::new))
                .timeout(context.timeout().plus(stopTimeout)));
    }

    private static String composeDir(ComposeCli cli, Service s) {
        return cli.home() + "/" + MachineLayout.composeDir(s);
    }

    private static String composeFile(Service s) {
        String f = Objects.requireNonNullElse(s.composeFile(), Service.DEFAULT_COMPOSE_FILE);
        return f.startsWith("/") ? f : s.path() + "/" + f;
    }

    private static String userEnv(Service s) {
        String f = s.envFile();
        return f == null ? "" : f.startsWith("/") ? f : s.path() + "/" + f;
    }

    private static String stripOneNewline(String s) {
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    private static String firstLine(String s) {
        return s.strip().lines().findFirst().orElse("").strip();
    }

    private static String lastLines(String s, int n) {
        List<String> l = s.lines().filter(x -> !x.isBlank() && !x.startsWith("portoser: ")).toList();
        return String.join("\n", l.subList(Math.max(0, l.size() - n), l.size()));
    }

    /** Many lines as one, for a message. */
    static String oneLine(String s) {
        String one = s.strip().lines().map(String::strip).filter(l -> !l.isEmpty())
                .reduce((a, b) -> a + "; " + b).orElse("");
        return one.length() > 400 ? one.substring(0, 400) + "…" : one;
    }

    private record Generated(String override, String digest, List<String> parts) {
    }

    private record Probe(ServiceStatus status, List<String> recordedParts, List<String[]> volumes,
                         Map<String, String> stacks, @Nullable String composeFile, @Nullable String userEnv) {
    }

    /** One container of the project, from {@code docker inspect}. */
    record Container(String id, String state, int exitCode, String health, String service, String name) {
        static List<Container> parse(String text) {
            List<Container> list = new ArrayList<>();
            for (String line : text.lines().toList()) {
                String[] f = line.split("\\|", -1);
                if (f.length == 6) {
                    int code;
                    try {
                        code = Integer.parseInt(f[2]);
                    } catch (NumberFormatException e) {
                        code = -1;
                    }
                    list.add(new Container(f[0], f[1], code, f[3], f[4], f[5].replaceFirst("^/", "")));
                }
            }
            return list;
        }

        boolean running() {
            return state.equals("running");
        }

        /** Crashed or crash-looping; a container that exited 0 finished its job. */
        boolean failed() {
            return state.equals("restarting") || state.equals("dead") || (state.equals("exited") && exitCode != 0);
        }
    }

    /** A script's output in {@code === NAME} sections, and after a boundary, {@code BOUNDARY NAME} sections. */
    private static final class Sections {
        final Map<String, String> sections = new LinkedHashMap<>();
        final Map<String, String> boundary = new LinkedHashMap<>();

        static Sections parse(String out, @Nullable String boundaryToken) {
            Sections s = new Sections();
            String current = "";
            boolean inBoundary = false;
            StringBuilder body = new StringBuilder();
            for (String line : out.split("\n", -1)) {
                String name = null;
                boolean b = false;
                if (boundaryToken != null && line.startsWith(boundaryToken + " ")) {
                    name = line.substring(boundaryToken.length() + 1);
                    b = true;
                } else if (!inBoundary && line.startsWith("=== ")) {
                    name = line.substring(4);
                }
                if (name != null) {
                    (inBoundary ? s.boundary : s.sections).put(current, body.toString());
                    current = name;
                    inBoundary = inBoundary || b;
                    body.setLength(0);
                } else {
                    body.append(line).append('\n');
                }
            }
            (inBoundary ? s.boundary : s.sections).put(current, body.toString());
            return s;
        }

        boolean has(String name) {
            return sections.containsKey(name);
        }

        String get(String name) {
            return sections.getOrDefault(name, "");
        }
    }
}

package dev.portoser.heal;

import dev.portoser.deploy.ServiceStatus;
import dev.portoser.heal.Observation.PortOwner.Owner;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The built-in failure patterns and their fingerprints, in the order they are tried: an unreachable machine first
 * (nothing else can be seen then), then unhealthy dependencies (the root cause is elsewhere), then the port, the PID
 * file, the disk, the engine, memory, exits, the unit, permissions and missing files.
 */
public final class FailurePatterns {
    /** The machine cannot be reached over SSH. */
    public static final String SSH_UNREACHABLE = "ssh.unreachable";
    /** A service this one depends on is not healthy. */
    public static final String DEPENDENCY_UNHEALTHY = "dependency.unhealthy";
    /** A process Portoser did not start holds the service's port. */
    public static final String PORT_FOREIGN = "port.foreign";
    /** Another service of the registry holds the port. */
    public static final String PORT_OTHER_SERVICE = "port.other-service";
    /** A stale instance of the service itself, no longer recorded, holds the port. */
    public static final String PORT_OWN_STALE = "port.own-stale";
    /** The PID file names a process that is gone or is not ours. */
    public static final String PIDFILE_STALE = "pidfile.stale";
    /** A file system the service writes to is nearly full. */
    public static final String DISK_FULL = "disk.full";
    /** The Docker engine does not answer. */
    public static final String DOCKER_DOWN = "docker.daemon-down";
    /** The service was killed for memory. */
    public static final String OUT_OF_MEMORY = "memory.oom";
    /** The container exits at once. */
    public static final String CONTAINER_EXITS = "container.exits";
    /** The local process exits at once. */
    public static final String PROCESS_EXITS = "process.exits";
    /** The systemd unit fails. */
    public static final String UNIT_FAILING = "unit.failing";
    /** The login may not use the service's path. */
    public static final String PERMISSION_DENIED = "permission.denied";
    /** The service's path does not exist. */
    public static final String PATH_MISSING = "path.missing";
    /** The command's program is not found. */
    public static final String EXECUTABLE_MISSING = "executable.missing";
    /** The Compose file does not exist. */
    public static final String COMPOSE_FILE_MISSING = "compose-file.missing";

    /** Disk use from which a file system counts as nearly full. */
    public static final int DISK_FULL_PERCENT = 90;

    private FailurePatterns() {
    }

    /**
     * Every built-in pattern, in the order they are tried.
     *
     * @return the built-in patterns, machine reachability first
     */
    public static List<FailurePattern> builtIns() {
        return List.of(
                of(SSH_UNREACHABLE, FailurePatterns::unreachable),
                of(DEPENDENCY_UNHEALTHY, FailurePatterns::dependencies),
                of(PORT_FOREIGN, o -> port(o, Owner.FOREIGN)),
                of(PORT_OTHER_SERVICE, o -> port(o, Owner.OTHER_SERVICE)),
                of(PORT_OWN_STALE, o -> port(o, Owner.OURS_STALE)),
                of(PIDFILE_STALE, FailurePatterns::stalePidFile),
                of(DISK_FULL, FailurePatterns::disk),
                of(DOCKER_DOWN, FailurePatterns::docker),
                of(OUT_OF_MEMORY, FailurePatterns::memory),
                of(CONTAINER_EXITS, FailurePatterns::containerExits),
                of(PROCESS_EXITS, FailurePatterns::processExits),
                of(UNIT_FAILING, FailurePatterns::unit),
                of(PERMISSION_DENIED, FailurePatterns::permission),
                of(PATH_MISSING, FailurePatterns::pathMissing),
                of(EXECUTABLE_MISSING, FailurePatterns::executableMissing),
                of(COMPOSE_FILE_MISSING, FailurePatterns::composeMissing));
    }

    /**
     * Runs patterns over observations.
     *
     * @param patterns the patterns, in order
     * @param observations what was seen
     * @return every diagnosis, in pattern order
     */
    public static List<Diagnosis> diagnose(List<FailurePattern> patterns, Observations observations) {
        List<Diagnosis> all = new ArrayList<>();
        for (FailurePattern p : patterns) {
            all.addAll(p.match(observations));
        }
        return List.copyOf(all);
    }

    private static FailurePattern of(String fingerprint, Function<Observations, List<Diagnosis>> match) {
        return new FailurePattern() {
            @Override
            public String fingerprint() {
                return fingerprint;
            }

            @Override
            public List<Diagnosis> match(Observations observations) {
                return observations.reachable() || fingerprint.equals(SSH_UNREACHABLE) ? match.apply(observations)
                        : List.of();
            }

            @Override
            public String toString() {
                return "FailurePattern[" + fingerprint + "]";
            }
        };
    }

    private static Diagnosis make(Observations o, String fingerprint, String cause, List<String> evidence,
                                  Map<String, String> facts, boolean ours) {
        return new Diagnosis(fingerprint, o.service(), o.machine(), cause, evidence, facts, ours);
    }

    private static List<String> withLog(List<String> evidence, Observations o) {
        List<String> all = new ArrayList<>(evidence);
        List<String> log = o.logLines();
        if (!log.isEmpty()) {
            all.add("last lines of its log:");
            all.addAll(log.subList(Math.max(0, log.size() - 10), log.size()));
        }
        return all;
    }

    private static List<Diagnosis> unreachable(Observations o) {
        return o.first(Observation.Reachability.class).filter(r -> !r.reachable())
                .map(r -> List.of(make(o, SSH_UNREACHABLE, "machine " + o.machine() + " cannot be reached: "
                        + r.detail(), List.of(r.describe()), Map.of(), true))).orElse(List.of());
    }

    private static List<Diagnosis> dependencies(Observations o) {
        return o.all(Observation.Dependency.class).stream().filter(d -> !d.healthy())
                .map(d -> make(o, DEPENDENCY_UNHEALTHY, o.service() + " depends on " + d.dependency()
                                + ", which is not healthy; heal " + d.dependency() + " first",
                        List.of(d.describe()), Map.of("dependency", d.dependency()), true)).toList();
    }

    private static List<Diagnosis> port(Observations o, Owner owner) {
        List<Diagnosis> found = new ArrayList<>();
        for (Observation.PortOwner p : o.all(Observation.PortOwner.class)) {
            if (p.owner() != owner) {
                continue;
            }
            Map<String, String> facts = Map.of("port", String.valueOf(p.port()), "pid", String.valueOf(p.pid()),
                    "command", p.command(), "holder", Objects.requireNonNullElse(p.service(), ""));
            String cause = switch (owner) {
                case FOREIGN -> "port " + p.port() + " is taken by a process Portoser did not start: PID " + p.pid()
                        + " (" + p.command() + "); stop it, or give " + o.service() + " another port";
                case OTHER_SERVICE -> "port " + p.port() + " is held by " + p.service() + ", another service on "
                        + o.machine() + " (PID " + p.pid() + "); give one of them another port";
                default -> "a stale instance of " + o.service() + " that Portoser started and no longer records holds "
                        + "port " + p.port() + " (PID " + p.pid() + ")";
            };
            found.add(make(o, owner == Owner.FOREIGN ? PORT_FOREIGN : owner == Owner.OTHER_SERVICE ? PORT_OTHER_SERVICE
                    : PORT_OWN_STALE, cause, List.of(p.describe()), facts, owner == Owner.OURS_STALE));
        }
        return found;
    }

    private static List<Diagnosis> stalePidFile(Observations o) {
        // A process that ended by itself leaves its PID file with its exit status: that is the crash's evidence
        // (see process.exits), not a stale file.
        boolean running = o.first(Observation.Instance.class).map(i -> i.state() == ServiceStatus.State.RUNNING
                || i.exitCode() != null).orElse(false);
        return o.first(Observation.PidFile.class).filter(p -> p.present() && !p.ours() && !running)
                .map(p -> List.of(make(o, PIDFILE_STALE, "the PID file " + p.path() + " is stale: " + (p.pid() == null
                                ? "it holds no process id" : p.alive() ? "process " + p.pid() + " is not the one "
                                + "Portoser started (" + p.command() + ")" : "process " + p.pid() + " is gone"),
                        List.of(p.describe()), Map.of("pid", String.valueOf(p.pid()), "pidFile", p.path()), true)))
                .orElse(List.of());
    }

    private static List<Diagnosis> disk(Observations o) {
        return o.all(Observation.DiskUsage.class).stream().filter(d -> d.usedPercent() >= DISK_FULL_PERCENT)
                .map(d -> make(o, DISK_FULL, "the file system at " + d.mount() + " is " + d.usedPercent()
                                + "% full (" + d.availableKib() + " KiB free), and " + o.service() + " writes to "
                                + d.path(), List.of(d.describe()),
                        Map.of("mount", d.mount(), "path", d.path(), "usedPercent", String.valueOf(d.usedPercent())),
                        true)).toList();
    }

    private static List<Diagnosis> docker(Observations o) {
        return o.first(Observation.DockerDaemon.class)
                .filter(d -> d.state() == Observation.DockerDaemon.DaemonState.DOWN)
                .map(d -> List.of(make(o, DOCKER_DOWN, "the Docker engine on " + o.machine() + " does not answer",
                        List.of(d.describe()), Map.of(), true))).orElse(List.of());
    }

    private static boolean oomInLog(Observations o) {
        return o.logLines().stream().map(l -> l.toLowerCase(Locale.ROOT))
                .anyMatch(l -> l.contains("out of memory") || l.contains("oomkilled") || l.contains("memoryerror"));
    }

    private static List<Diagnosis> memory(Observations o) {
        List<String> evidence = new ArrayList<>();
        o.all(Observation.Container.class).stream().filter(c -> c.oomKilled() || c.exitCode() == 137)
                .forEach(c -> evidence.add(c.describe()));
        o.first(Observation.Instance.class).filter(i -> Integer.valueOf(137).equals(i.exitCode()))
                .ifPresent(i -> evidence.add(i.describe()));
        o.first(Observation.Unit.class).filter(u -> u.result().equals("oom-kill")).ifPresent(u -> evidence.add(u.describe()));
        if (evidence.isEmpty() && !oomInLog(o)) {
            return List.of();
        }
        if (evidence.isEmpty()) {
            evidence.add("its log mentions running out of memory");
        }
        return List.of(make(o, OUT_OF_MEMORY, o.service() + " ran out of memory (killed with status 137 or by the "
                + "kernel's OOM killer); give it more memory or make it use less", withLog(evidence, o), Map.of(), false));
    }

    private static List<Diagnosis> containerExits(Observations o) {
        return o.all(Observation.Container.class).stream()
                .filter(c -> !c.oomKilled() && c.exitCode() != 137 && (c.status().equals("restarting")
                        || (c.status().equals("exited") && c.exitCode() != 0)))
                .map(c -> make(o, CONTAINER_EXITS, "container " + c.name() + " exits at once with status "
                        + c.exitCode(), withLog(List.of(c.describe()), o), Map.of("exitCode",
                        String.valueOf(c.exitCode()), "container", c.name()), false)).toList();
    }

    private static List<Diagnosis> processExits(Observations o) {
        return o.first(Observation.Instance.class).filter(i -> i.state() == ServiceStatus.State.FAILED
                        && i.exitCode() != null && i.exitCode() != 137)
                .map(i -> List.of(make(o, PROCESS_EXITS, "the process of " + o.service() + " exits with status "
                        + i.exitCode(), withLog(List.of(i.describe()), o), Map.of("exitCode",
                        String.valueOf(i.exitCode())), false))).orElse(List.of());
    }

    private static List<Diagnosis> unit(Observations o) {
        return o.first(Observation.Unit.class).filter(u -> u.activeState().equals("failed")
                        || u.subState().equals("auto-restart"))
                .map(u -> List.of(make(o, UNIT_FAILING, "unit " + u.unit() + " fails (" + u.result()
                        + (u.lastExit() == null ? "" : ", exit " + u.lastExit()) + ")", withLog(List.of(u.describe()), o),
                        Map.of("unit", u.unit()), false))).orElse(List.of());
    }

    private static List<Diagnosis> permission(Observations o) {
        List<String> evidence = new ArrayList<>();
        o.first(Observation.PathAccess.class).filter(p -> p.exists() && (!p.readable() || !p.enterable()))
                .ifPresent(p -> evidence.add(p.describe()));
        o.logLines().stream().filter(l -> l.contains("Permission denied") || l.contains("EACCES")).findFirst()
                .ifPresent(l -> evidence.add("its log says: " + l.strip()));
        if (evidence.isEmpty()) {
            return List.of();
        }
        return List.of(make(o, PERMISSION_DENIED, "the login of " + o.machine() + " is denied access to what "
                + o.service() + " needs; fix the owner or mode", evidence, Map.of(), false));
    }

    private static List<Diagnosis> pathMissing(Observations o) {
        return o.first(Observation.PathAccess.class).filter(p -> !p.exists())
                .map(p -> List.of(make(o, PATH_MISSING, "the path " + p.path() + " of " + o.service()
                        + " does not exist on " + o.machine(), List.of(p.describe()), Map.of("path", p.path()), false)))
                .orElse(List.of());
    }

    private static List<Diagnosis> executableMissing(Observations o) {
        return o.first(Observation.Executable.class).filter(e -> !e.found())
                .map(e -> List.of(make(o, EXECUTABLE_MISSING, "the program '" + e.program() + "' of " + o.service()
                        + " is not found on " + o.machine() + " (in its path, with its PATH)", List.of(e.describe()),
                        Map.of("program", e.program()), false))).orElse(List.of());
    }

    private static List<Diagnosis> composeMissing(Observations o) {
        return o.first(Observation.ComposeFile.class).filter(c -> !c.exists())
                .map(c -> List.of(make(o, COMPOSE_FILE_MISSING, "the Compose file " + c.file() + " of " + o.service()
                        + " does not exist on " + o.machine(), List.of(c.describe()), Map.of("file", c.file()), false)))
                .orElse(List.of());
    }
}

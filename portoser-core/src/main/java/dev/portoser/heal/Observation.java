package dev.portoser.heal;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.portoser.deploy.ServiceStatus;
import dev.portoser.health.HealthStatus;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One fact about a service on its machine, as the {@link Observer} saw it. Each kind is a record of its own, so a
 * {@link FailurePattern} matches on types and fields, never on text. Instances are immutable and thread-safe.
 */
public sealed interface Observation {

    /**
     * The kind's name in JSON ({@code "kind"}): the record's simple name.
     *
     * @return the simple name of the record class, such as {@code PortOwner}
     */
    @JsonProperty("kind")
    default String kind() {
        return getClass().getSimpleName();
    }

    /**
     * What was seen, in one line of words.
     *
     * @return the observation as a sentence, such as {@code port 8080 is free}
     */
    String describe();

    /**
     * Whether the machine answered.
     *
     * @param reachable whether a command ran there
     * @param detail the error when not
     */
    record Reachability(boolean reachable, String detail) implements Observation {
        @Override
        public String describe() {
            return reachable ? "the machine answers" : "the machine cannot be reached: " + detail;
        }
    }

    /**
     * Whether the service's own instance runs (process, container or unit), read from the machine.
     *
     * @param state the conclusion
     * @param pid its process id (local services), or null
     * @param exitCode the exit status of the instance that ended, or null
     * @param detail what was seen
     */
    record Instance(ServiceStatus.State state, @Nullable String pid, @Nullable Integer exitCode, String detail)
            implements Observation {
        @Override
        public String describe() {
            return "instance " + state.name().toLowerCase(java.util.Locale.ROOT) + ": " + detail;
        }
    }

    /**
     * The service's PID file ({@code ~/.portoser/run/NAME.pid}).
     *
     * @param path the file, as the machine spells it
     * @param present whether it exists
     * @param pid what it holds, when an integer, else null
     * @param alive whether that process is alive
     * @param ours whether that process is the one Portoser started (its recorded start time matches)
     * @param command that process's command line when alive and not ours, else empty
     */
    record PidFile(String path, boolean present, @Nullable Long pid, boolean alive, boolean ours, String command)
            implements Observation {
        @Override
        public String describe() {
            if (!present) {
                return "no PID file";
            }
            if (pid == null) {
                return "the PID file " + path + " holds no process id";
            }
            return "the PID file " + path + " names process " + pid + (ours ? ", ours" : alive
                    ? ", which is not ours: " + command : ", which is gone");
        }
    }

    /**
     * Who holds the service's port.
     *
     * @param port the port
     * @param owner whose listener it is
     * @param pid the listening process, or null when none listens or it cannot be seen
     * @param service for {@link Owner#OURS_STALE} the service, for {@link Owner#OTHER_SERVICE} the other service
     *     (its name on this machine), else null
     * @param command the listener's command line, or empty
     */
    record PortOwner(int port, Owner owner, @Nullable Long pid, @Nullable String service, String command)
            implements Observation {
        /** Whose listener holds a port. */
        public enum Owner {
            /** Nothing listens. */
            FREE,
            /** The service's own running instance (as it should be). */
            OURS,
            /** An instance of this service that Portoser started but no longer records (a killed controller, lost files). */
            OURS_STALE,
            /** An instance of another service Portoser runs on this machine. */
            OTHER_SERVICE,
            /** A process Portoser did not start. */
            FOREIGN,
            /** Something listens, but the machine does not show what. */
            UNSEEN
        }

        /**
         * Checks the components.
         *
         * @param port the port
         * @param owner whose listener it is
         * @param pid the listening process, or null when none listens or it cannot be seen
         * @param service for {@link Owner#OURS_STALE} the service, for {@link Owner#OTHER_SERVICE} the other
         *     service, else null
         * @param command the listener's command line, or empty
         */
        public PortOwner {
            Objects.requireNonNull(owner, "owner == null");
            Objects.requireNonNull(command, "command == null");
        }

        @Override
        public String describe() {
            return switch (owner) {
                case FREE -> "port " + port + " is free";
                case OURS -> "port " + port + " is held by the service's own instance (PID " + pid + ")";
                case OURS_STALE -> "port " + port + " is held by a stale instance of " + service + " that Portoser "
                        + "started and no longer records: PID " + pid + " (" + command + ")";
                case OTHER_SERVICE -> "port " + port + " is held by " + service + ", another service: PID " + pid
                        + " (" + command + ")";
                case FOREIGN -> "port " + port + " is held by a process Portoser did not start: PID " + pid + " ("
                        + command + ")";
                case UNSEEN -> "something listens on port " + port + ", but the machine does not show what";
            };
        }
    }

    /**
     * Disk use of a file system the service writes to.
     *
     * @param path the service's directory on it (its path, log directory or Portoser's state directory)
     * @param mount where the file system is mounted
     * @param usedPercent how full it is
     * @param availableKib how much is free, in KiB
     */
    record DiskUsage(String path, String mount, int usedPercent, long availableKib) implements Observation {
        @Override
        public String describe() {
            return "the file system at " + mount + " (holding " + path + ") is " + usedPercent + "% full, "
                    + availableKib + " KiB free";
        }
    }

    /**
     * Access to the service's {@code path} for the login user.
     *
     * @param path the directory
     * @param exists whether it exists
     * @param directory whether it is a directory
     * @param readable whether it can be read
     * @param writable whether it can be written
     * @param enterable whether it can be entered
     * @param mode its mode and owner, as {@code ls -ld} shows them
     */
    record PathAccess(String path, boolean exists, boolean directory, boolean readable, boolean writable,
                      boolean enterable, String mode) implements Observation {
        @Override
        public String describe() {
            if (!exists) {
                return "the path " + path + " does not exist";
            }
            return "the path " + path + " is " + (directory ? "a directory" : "not a directory") + " (" + mode + ")"
                    + (readable && enterable ? "" : ", which the login cannot " + (enterable ? "read" : "enter"));
        }
    }

    /**
     * Whether the {@code command}'s program is found in {@code path}, with the service's PATH.
     *
     * @param program the first word of the command
     * @param found whether it was found
     * @param resolved where, when found
     */
    record Executable(String program, boolean found, String resolved) implements Observation {
        @Override
        public String describe() {
            return found ? "the program " + program + " is " + resolved : "the program " + program + " was not found";
        }
    }

    /**
     * Whether a Docker service's Compose file exists.
     *
     * @param file the file
     * @param exists whether it exists
     */
    record ComposeFile(String file, boolean exists) implements Observation {
        @Override
        public String describe() {
            return "the Compose file " + file + (exists ? " exists" : " does not exist");
        }
    }

    /**
     * The Docker engine on the machine.
     *
     * @param state whether it answers
     * @param detail its version, or what it said
     */
    record DockerDaemon(DaemonState state, String detail) implements Observation {
        /** Whether an engine answers. */
        public enum DaemonState {
            /** It answers. */
            UP,
            /** The client is installed, the engine does not answer. */
            DOWN,
            /** No Docker client on the machine. */
            ABSENT
        }

        @Override
        public String describe() {
            return switch (state) {
                case UP -> "the Docker engine answers (" + detail + ")";
                case DOWN -> "the Docker engine does not answer: " + detail;
                case ABSENT -> "Docker is not installed";
            };
        }
    }

    /**
     * One container of a Docker service's project.
     *
     * @param name its name
     * @param status running, exited, restarting...
     * @param exitCode its last exit code
     * @param oomKilled whether the kernel killed it for memory
     * @param restarts how often the engine restarted it
     */
    record Container(String name, String status, int exitCode, boolean oomKilled, int restarts) implements Observation {
        @Override
        public String describe() {
            return "container " + name + " is " + status + (status.equals("running") ? "" : " (exit " + exitCode + ")")
                    + (oomKilled ? ", killed for memory" : "") + (restarts > 0 ? ", restarted " + restarts + " times" : "");
        }
    }

    /**
     * A native service's systemd unit.
     *
     * @param unit its name
     * @param activeState active, failed, activating...
     * @param subState running, dead, auto-restart...
     * @param result the result of its last run (success, exit-code, oom-kill...)
     * @param lastExit the exit status of its main process, or null
     */
    record Unit(String unit, String activeState, String subState, String result, @Nullable Integer lastExit)
            implements Observation {
        @Override
        public String describe() {
            return "unit " + unit + " is " + activeState + " (" + subState + "), last result " + result
                    + (lastExit == null ? "" : ", exit " + lastExit);
        }
    }

    /**
     * The health of a service this one depends on.
     *
     * @param dependency its name
     * @param status what its check said
     * @param detail the evidence
     */
    record Dependency(String dependency, HealthStatus status, String detail) implements Observation {
        /**
         * Whether it passes.
         *
         * @return true when its check said healthy, or could not tell ({@link HealthStatus#UNKNOWN})
         */
        public boolean healthy() {
            return status == HealthStatus.HEALTHY || status == HealthStatus.UNKNOWN;
        }

        @Override
        public String describe() {
            return "dependency " + dependency + " is " + status.name().toLowerCase(java.util.Locale.ROOT) + ": " + detail;
        }
    }

    /**
     * The service's own health check, run once.
     *
     * @param status what it said
     * @param detail the evidence
     */
    record Health(HealthStatus status, String detail) implements Observation {
        @Override
        public String describe() {
            return "health " + status.name().toLowerCase(java.util.Locale.ROOT) + ": " + detail;
        }
    }

    /**
     * The last lines of the service's log (its log file, its container's output or its unit's journal).
     *
     * @param source where they come from
     * @param lines the lines, oldest first
     */
    record LogTail(String source, List<String> lines) implements Observation {
        /**
         * Copies the lines.
         *
         * @param source where they come from
         * @param lines the lines, oldest first
         */
        public LogTail {
            lines = List.copyOf(lines);
        }

        @Override
        public String describe() {
            return lines.size() + " last lines of " + source;
        }
    }
}

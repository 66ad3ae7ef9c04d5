package dev.portoser.deploy;

import dev.portoser.registry.Service;

/**
 * Where Portoser keeps its files on a machine, per login user, in one place. Paths are relative to the login's
 * home directory (remote scripts prefix {@code $HOME/}); nothing else in the code base spells them out.
 *
 * <pre>
 * ~/.portoser/run/NAME.pid        PID of the service's process group leader (local), with .start and .config
 * ~/.portoser/run/NAME.exit       exit status of the last instance, written when it ends (local)
 * ~/.portoser/env/NAME.env        the service's environment, mode 0600
 * ~/.portoser/logs/NAME.log       the service's output (local), appended and rotated by size
 * ~/.portoser/locks/NAME/         the service's lock (atomic mkdir + owner record)
 * ~/.portoser/compose/NAME/       generated Compose override and env file (docker)
 * ~/.portoser/run/NAME.native     digest of the configuration a native service was installed with
 * </pre>
 *
 * <p>Units of {@code native} services go where their service manager looks: {@code /etc/systemd/system} for root,
 * {@code ~/.config/systemd/user} otherwise; launchd property lists in {@code /Library/LaunchDaemons} (root) or
 * {@code ~/Library/LaunchAgents}; rc.d scripts in {@code /usr/local/etc/rc.d}.
 */
public final class MachineLayout {
    /** The base directory, relative to the home directory. */
    public static final String BASE = ".portoser";
    /** PID files and process records. */
    public static final String RUN = BASE + "/run";
    /** Environment files (0600). */
    public static final String ENV = BASE + "/env";
    /** Log files of local services. */
    public static final String LOGS = BASE + "/logs";
    /** Lock directories. */
    public static final String LOCKS = BASE + "/locks";
    /** Generated Compose files. */
    public static final String COMPOSE = BASE + "/compose";
    /** Where systemd looks for the user units of a login that is not root, relative to its home. */
    public static final String USER_UNITS = ".config/systemd/user";
    /** Where systemd looks for system units. */
    public static final String SYSTEM_UNITS = "/etc/systemd/system";
    /** Where launchd looks for the agents of a login that is not root, relative to its home. */
    public static final String LAUNCH_AGENTS = "Library/LaunchAgents";
    /** Where launchd looks for system daemons. */
    public static final String LAUNCH_DAEMONS = "/Library/LaunchDaemons";
    /** Where rc.d scripts of local packages go on BSD. */
    public static final String RC_D = "/usr/local/etc/rc.d";

    private MachineLayout() {
    }

    /**
     * The PID file of a local service.
     *
     * @param service the service
     * @return the PID file of a local service
     */
    public static String pidFile(Service service) {
        return RUN + "/" + service.name() + ".pid";
    }

    /**
     * The environment file of a service.
     *
     * @param service the service
     * @return the environment file of a service
     */
    public static String envFile(Service service) {
        return ENV + "/" + service.name() + ".env";
    }

    /**
     * The log file of a local service: its {@code log_file} (relative to its {@code path}) or Portoser's own.
     *
     * @param service the service
     * @return an absolute path, or one relative to the home directory
     */
    public static String logFile(Service service) {
        String log = service.logFile();
        if (log == null) {
            return LOGS + "/" + service.name() + ".log";
        }
        return log.startsWith("/") ? log : service.path() + "/" + log;
    }

    /**
     * The lock directory of a service.
     *
     * @param service the service
     * @return the lock directory of a service
     */
    public static String lockDir(String service) {
        return LOCKS + "/" + service;
    }

    /**
     * The directory of the generated Compose files of a docker service.
     *
     * @param service the service
     * @return the directory of the generated Compose files of a docker service
     */
    public static String composeDir(Service service) {
        return COMPOSE + "/" + service.name();
    }

    /**
     * The systemd unit name of a native service: its {@code service_name}, else {@code portoser-NAME.service}.
     *
     * @param service the service
     * @return the systemd unit name of a native service: its {@code service_name}, else {@code portoser-NAME.service}
     */
    public static String unitName(Service service) {
        String name = service.serviceName() != null ? service.serviceName() : "portoser-" + service.name();
        return name.endsWith(".service") ? name : name + ".service";
    }

    /**
     * The record of the configuration a native service was installed with.
     *
     * @param service the native service
     * @return its path relative to the login's home, under {@code ~/.portoser/run}
     */
    public static String nativeRecord(Service service) {
        return RUN + "/" + service.name() + ".native";
    }

    /**
     * The launchd label of a native service: its {@code service_name}, else {@code dev.portoser.NAME}.
     *
     * @param service the native service
     * @return the label launchd knows it by
     */
    public static String launchdLabel(Service service) {
        return service.serviceName() != null ? service.serviceName() : "dev.portoser." + service.name();
    }

    /**
     * The rc.d name of a native service (a shell variable name, as rc.subr needs): its {@code service_name}, else
     * {@code portoser_NAME}, with every character other than letters, digits and '_' as '_'.
     *
     * @param service the native service
     * @return the name of its rc.d script and of its {@code NAME_enable} variable
     */
    public static String rcName(Service service) {
        String name = service.serviceName() != null ? service.serviceName() : "portoser_" + service.name();
        return name.replaceAll("[^A-Za-z0-9_]", "_");
    }
}

package dev.portoser.deploy;

import dev.portoser.health.HealthCheck;
import dev.portoser.registry.Service;
import dev.portoser.registry.ServiceType;
import java.util.List;

/**
 * What deploy, start, stop and status mean for one service type. Register one per {@link ServiceType} on the
 * executor (see {@link Deployers}); a custom type gets its own. Implementations are thread-safe and keep no state
 * about services between calls (caches of what a machine has, such as its Compose version, are fine); every
 * method is idempotent.
 *
 * <p>The contract, which {@code DeployerContract} tests for every implementation: deploying twice with the same
 * configuration changes nothing; a changed configuration restarts; stop is idempotent and never touches data or a
 * process (container, unit) that is not the service's own; {@link #status} tells the truth after a crash; and
 * {@link #deploy}/{@link #start} return only once the service's process runs, or throw with its exit status and
 * the last lines of its log.
 *
 * <p>Under an executor, the context's transport holds the step's lock before anything runs on the machine: the
 * lock travels with the first command the deployer runs, in the same round trip (a first upload or read takes it
 * with a command of its own). So a deployer that does all its work in one command costs the step one round trip;
 * it needs to do nothing for it.
 */
public interface Deployer {

    /**
     * The service type this deployer handles.
     *
     * @return the service type this deployer handles
     */
    ServiceType type();

    /**
     * Makes the service run as the registry says: a no-op when it already runs exactly this configuration, a
     * restart when its configuration changed. Returns once its process (container, unit) runs; does not wait for
     * health (the executor does, with {@link #healthChecks}).
     *
     * @param context the service, machine and transport
     * @return what changed
     * @throws DeployException when it cannot, or when the process ended at once (with its status and log tail)
     */
    DeployResult deploy(DeployContext context);

    /**
     * Starts the service as it is installed (a no-op when it runs).
     *
     * @param context the service, machine and transport
     * @throws DeployException when it cannot
     */
    void start(DeployContext context);

    /**
     * Stops the service, never touching its data and never a process that is not its own (a no-op when stopped).
     * Needs no secrets.
     *
     * @param context the service, machine and transport
     * @throws DeployException when it cannot
     */
    void stop(DeployContext context);

    /**
     * Stops, then starts.
     *
     * @param context the service, machine and transport
     * @throws DeployException when it cannot
     */
    default void restart(DeployContext context) {
        stop(context);
        start(context);
    }

    /**
     * What runs, read from the machine (process table, engine, service manager). Needs no secrets.
     *
     * @param context the service, machine and transport
     * @return the status; {@link ServiceStatus.State#UNKNOWN} rather than an exception when the machine answers
     *     but cannot tell
     * @throws dev.portoser.transport.TransportException when the machine cannot be reached
     */
    ServiceStatus status(DeployContext context);

    /**
     * Checks this deployer contributes for a service, which the executor and the health monitor run together
     * with the registry's own check: that the service's own process (container, unit) runs, and what its engine
     * says of its health. A contributed check answers {@link dev.portoser.health.HealthStatus#DOWN} when the
     * instance is gone, so waiting for it stops at once.
     *
     * @param service the service
     * @return the checks, possibly none
     */
    default List<HealthCheck> healthChecks(Service service) {
        return List.of();
    }

    /**
     * The last lines of the service's log. Needs no secrets.
     *
     * @param context the service, machine and transport
     * @param lines how many lines
     * @return the lines, as text
     * @throws DeployException when there is no log to read
     */
    String logs(DeployContext context, int lines);

    /**
     * Removes what deploying installed (units, generated files, stopped containers), after stopping it; data
     * (volumes, the service's {@code path}) is never removed. A no-op when nothing is installed.
     *
     * @param context the service, machine and transport
     * @throws DeployException when it cannot
     */
    default void remove(DeployContext context) {
        stop(context);
    }

    /**
     * What deploying would install, for a reviewer: a unit file, a Compose override, with secret values masked.
     * Empty when there is nothing to show.
     *
     * @param context the service, machine and transport
     * @return the text, possibly empty
     */
    default String explain(DeployContext context) {
        return "";
    }
}

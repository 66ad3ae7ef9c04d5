package dev.portoser.deploy;

import dev.portoser.registry.ServiceType;

/**
 * What deploy, start and stop mean for one service type. Register one per {@link ServiceType} on the executor;
 * a custom type gets its own. Implementations are stateless and thread-safe; every method is idempotent.
 */
public interface Deployer {

    /** The service type this deployer handles. */
    ServiceType type();

    /**
     * Makes the service run as the registry says: a no-op when it already does, a restart when its configuration
     * changed. Does not wait for health; the executor does.
     *
     * @param context the service, machine and transport
     * @throws DeployException when it cannot
     */
    void deploy(DeployContext context);

    /**
     * Starts the service as it is installed (a no-op when it runs).
     *
     * @param context the service, machine and transport
     * @throws DeployException when it cannot
     */
    void start(DeployContext context);

    /**
     * Stops the service, never touching its data and never a process that is not its own (a no-op when stopped).
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
}

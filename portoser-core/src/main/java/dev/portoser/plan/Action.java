package dev.portoser.plan;

/** What a step does to a service on a machine. */
public enum Action {
    /** Install or update the service from the registry and start it; done when it is healthy. */
    DEPLOY,
    /** Start the service as it is already installed; done when it is healthy. */
    START,
    /** Stop the service (never deleting its data). */
    STOP,
    /** Stop and start the service; done when it is healthy again. */
    RESTART,
    /** Deploy the service on another machine; done when it is healthy there (its old instance is stopped after). */
    MIGRATE
}

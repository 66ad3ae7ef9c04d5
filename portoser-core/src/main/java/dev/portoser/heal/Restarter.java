package dev.portoser.heal;

/**
 * Starts a service as it is installed (and what it depends on) and waits until it is healthy: how the
 * {@link Healer} restarts a service after fixing its causes. {@link Healer.Builder#executor} makes one from an
 * {@link dev.portoser.exec.Executor} (with its secrets, locks and history); without one, the service's deployer
 * starts it directly, which works for services without secrets.
 */
@FunctionalInterface
public interface Restarter {
    /**
     * Starts the service and waits.
     *
     * @param service the service's name
     * @return whether it ends healthy, and the evidence
     * @throws InterruptedException when interrupted
     */
    Playbook.Result restart(String service) throws InterruptedException;
}

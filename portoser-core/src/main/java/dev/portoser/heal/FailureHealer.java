package dev.portoser.heal;

/**
 * What an executor asks between a failed deploy and its rollback: fix the causes of this failure, if they are
 * Portoser's to fix, so that one retry may succeed. The executor holds the service's lock while it asks, so an
 * implementation must not deploy, start or stop the service itself (the executor retries); it may fix its causes
 * and heal its dependencies. {@link #of(Healer)} is the one to use; {@link #NONE} fixes nothing.
 */
@FunctionalInterface
public interface FailureHealer {
    /** Fixes nothing: the executor rolls back at once, as without self-healing. */
    FailureHealer NONE = (service, failure) -> false;

    /**
     * Fixes what caused a step of a service to fail.
     *
     * @param service the service's name
     * @param failure what the step reported, in words
     * @return true when something was fixed and the executor should retry the step once before rolling back
     * @throws InterruptedException when interrupted
     */
    boolean healBeforeRetry(String service, String failure) throws InterruptedException;

    /**
     * The healer's fixes ({@link Healer#fixCauses}), under its policy; true when a playbook fixed a cause.
     *
     * @param healer the healer
     * @return the failure healer
     */
    static FailureHealer of(Healer healer) {
        java.util.Objects.requireNonNull(healer, "healer == null");
        return (service, failure) -> healer.fixCauses(service).outcome() == HealReport.Outcome.HEALED;
    }
}

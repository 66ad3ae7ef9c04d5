package dev.portoser.heal;

import dev.portoser.registry.Registry;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What an executor asks between a failed deploy and its rollback: fix the causes of this failure, if they are
 * Portoser's to fix, so that one retry may succeed. The executor holds the service's lock while it asks, so an
 * implementation must not deploy, start or stop the service itself (the executor retries); it may fix its causes
 * and heal its dependencies. {@link #of(Function)} is the one to use; {@link #NONE} fixes nothing.
 */
@FunctionalInterface
public interface FailureHealer {
    /** Fixes nothing: the executor rolls back at once, as without self-healing. */
    FailureHealer NONE = (registry, service, failure) -> false;

    /**
     * Fixes what caused a step of a service to fail.
     *
     * @param registry the registry of the run
     * @param service the service's name
     * @param failure what the step reported, in words
     * @return true when something was fixed and the executor should retry the step once before rolling back
     * @throws InterruptedException when interrupted
     */
    boolean healBeforeRetry(Registry registry, String service, String failure) throws InterruptedException;

    /**
     * A healer's fixes ({@link Healer#fixCauses}), under its policy; true when a playbook fixed a cause. One healer
     * is made per registry (by identity) and kept, so its policy counters last across runs.
     *
     * @param healers makes the healer of a registry, such as
     *     {@code r -> Healer.builder(r).transports(ssh).knowledge(kb).build()}
     * @return the failure healer
     */
    static FailureHealer of(Function<Registry, Healer> healers) {
        Objects.requireNonNull(healers, "healers == null");
        Map<Registry, Healer> made = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
        return (registry, service, failure) -> made.computeIfAbsent(registry, healers).fixCauses(service).outcome()
                == HealReport.Outcome.HEALED;
    }

    /**
     * The fixes of one healer, for runs of its own registry.
     *
     * @param healer the healer
     * @return the failure healer
     */
    static FailureHealer of(Healer healer) {
        Objects.requireNonNull(healer, "healer == null");
        return (registry, service, failure) -> healer.fixCauses(service).outcome() == HealReport.Outcome.HEALED;
    }
}

package dev.portoser.exec;

import dev.portoser.deploy.ConfigDigest;
import dev.portoser.deploy.Deployers;
import dev.portoser.heal.FailureHealer;
import dev.portoser.health.HealthCheck;
import dev.portoser.health.HealthChecks;
import dev.portoser.health.HealthGate;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Service;
import dev.portoser.secret.Secret;
import dev.portoser.secret.SecretException;
import dev.portoser.secret.SecretProvider;
import dev.portoser.state.LockManager;
import dev.portoser.state.StateStore;
import dev.portoser.transport.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What the steps of an executor work with: its deployers, state, locks, checks and settings. Made once per
 * executor; immutable, and its parts are thread-safe.
 *
 * @param deployers the deployers by service type
 * @param state the history and journal
 * @param locks the controller's locks
 * @param releases the locks of finished steps, waiting to be released
 * @param renewals schedules lease renewals
 * @param renewers runs lease renewals
 * @param healer fixes known causes of a failure before a retry
 * @param retry which transport failures are retried, and how
 * @param sleeper waits between retries
 * @param gate polls health checks
 * @param checks makes health checks
 * @param healthTimeout how long a new instance may take to be healthy
 * @param gateTimeout how long a dependency outside the plan may take to be healthy
 * @param commandTimeout how long one command may take (never more than a step may)
 * @param stepTimeout how long a step may take
 * @param settleTime how long a service without a health check must keep running
 * @param lockWait how long a step waits for a lock held by another controller
 * @param rollback whether a failed new version is rolled back
 * @param digest the digest of deployed configurations
 * @param secrets the secret provider, or null
 * @param opener opens a transport to a machine
 */
record StepEnvironment(Deployers deployers, StateStore state, LockManager locks, PendingReleases releases,
                       ScheduledExecutorService renewals, ExecutorService renewers, FailureHealer healer,
                       RetryPolicy retry, Sleeper sleeper, HealthGate gate, HealthChecks checks, Duration healthTimeout,
                       Duration gateTimeout, Duration commandTimeout, Duration stepTimeout, Duration settleTime,
                       Duration lockWait, boolean rollback, Supplier<ConfigDigest> digest,
                       @Nullable SecretProvider secrets, Function<Machine, Transport> opener) {

    /** A transport to a machine. */
    Transport open(Machine machine) {
        return opener.apply(machine);
    }

    /** The service's secrets for its machine; a service that references secrets needs a provider. */
    Map<String, Secret> secretsOf(Service service, Machine machine) {
        if (service.vaultSecrets().isEmpty()) {
            return Map.of();
        }
        if (secrets == null) {
            throw new SecretException("service " + service.name() + " references vault_secrets but the executor has "
                    + "no SecretProvider: set Executor.builder().secrets(...)", null);
        }
        return secrets.resolve(machine, service);
    }

    /** The checks a service's deployer contributes (none when its type has no deployer). */
    List<HealthCheck> ownChecks(Service service) {
        return deployers.forType(service.type()).map(d -> d.healthChecks(service)).orElse(List.of());
    }
}

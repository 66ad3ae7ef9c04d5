package dev.portoser.state;

import dev.portoser.registry.Service;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One step as it happened: what was deployed (the whole service configuration, so it can be deployed again),
 * where, by whom, and how it ended. Holds no secret: secrets are referenced by the configuration, never resolved
 * into it. Instances are immutable and thread-safe.
 *
 * @param id unique id of the record
 * @param time when the step ended
 * @param runId the run it belonged to
 * @param service the service's name
 * @param machine the machine it acted on
 * @param action what the step did (DEPLOY, STOP...)
 * @param outcome how it ended (SUCCEEDED, FAILED...)
 * @param duration how long it took
 * @param config the service configuration that was deployed
 * @param configFingerprint a digest of that configuration
 * @param port the port it listened on, or null
 * @param healthy whether its health check passed at the end of the step
 * @param controller who ran it: the controller id
 * @param detail evidence: the health result or the error
 */
public record DeploymentRecord(String id, Instant time, String runId, String service, String machine, String action,
                               String outcome, Duration duration, Service config, String configFingerprint,
                               @Nullable Integer port, boolean healthy, String controller, String detail) {

    /**
     * Checks the components.
     *
     * @param id the id
     * @param time the time
     * @param service the service
     * @param config the config
     * @param action the action
     * @param configFingerprint the config fingerprint
     * @param controller the controller
     * @param detail the detail
     * @param duration the duration
     * @param healthy whether it ended healthy
     * @param machine the machine
     * @param outcome the outcome
     * @param port the port
     * @param runId the run id
     */
    public DeploymentRecord {
        Objects.requireNonNull(id, "id == null");
        Objects.requireNonNull(time, "time == null");
        Objects.requireNonNull(service, "service == null");
        Objects.requireNonNull(config, "config == null");
    }
}

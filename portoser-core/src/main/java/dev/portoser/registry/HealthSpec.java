package dev.portoser.registry;

import dev.portoser.registry.internal.Patterns;
import dev.portoser.registry.internal.SafePath;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.Objects;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

/**
 * How to tell whether a service is healthy ({@code health}).
 * Instances are immutable and thread-safe.
 *
 * @param type what kind of check
 * @param endpoint the HTTP path for {@link HealthType#HTTP}; {@code /} by default
 * @param port the port to check, or null to use the service's own {@code port}
 * @param interval time between checks while monitoring; 30 s by default
 * @param timeout time one check may take; 5 s by default
 * @param retries failed checks in a row before the service counts as unhealthy; 3 by default
 * @param expectedStatus the HTTP status that means healthy; 200 by default
 * @param pidFile the PID file for {@link HealthType#PROCESS}, or null for the one Portoser manages
 * @param via how HTTP and TCP checks reach the port: {@link HealthVia#DIRECT} (the default), or
 *     {@link HealthVia#SSH} through the machine's SSH connection (a port forward to its loopback), for a service
 *     bound only to its machine's loopback
 */
public record HealthSpec(
        @NotNull(message = "missing required field (one of http, tcp, process)")
        HealthType type,
        @NotNull @Pattern(regexp = Patterns.ENDPOINT, message = Patterns.ENDPOINT_MESSAGE)
        String endpoint,
        @Nullable @Min(value = 1, message = "expected a port number from 1 to 65535") @Max(value = 65535, message = "expected a port number from 1 to 65535")
        Integer port,
        @NotNull @DurationMin(nanos = 0, inclusive = false, message = "expected a positive duration")
        Duration interval,
        @NotNull @DurationMin(nanos = 0, inclusive = false, message = "expected a positive duration")
        Duration timeout,
        @Min(value = 1, message = "expected at least 1")
        int retries,
        @Min(value = 100, message = "expected an HTTP status from 100 to 599") @Max(value = 599, message = "expected an HTTP status from 100 to 599")
        int expectedStatus,
        @Nullable @SafePath(SafePath.Kind.ABSOLUTE_OR_INSIDE)
        String pidFile,
        @Nullable
        HealthVia via) {

    /** The endpoint checked when none is given. */
    public static final String DEFAULT_ENDPOINT = "/";
    /** The interval used when none is given. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    /** The timeout used when none is given. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** The retries used when none are given. */
    public static final int DEFAULT_RETRIES = 3;
    /** The HTTP status expected when none is given. */
    public static final int DEFAULT_EXPECTED_STATUS = 200;

    /**
     * A spec checked directly ({@code via: direct}).
     *
     * @param type what kind of check
     * @param endpoint the HTTP path, or null for {@code /}
     * @param port the port, or null for the service's
     * @param interval time between checks, or null for 30 s
     * @param timeout time one check may take, or null for 5 s
     * @param retries failed checks in a row before unhealthy
     * @param expectedStatus the HTTP status that means healthy
     * @param pidFile the PID file, or null
     */
    public HealthSpec(HealthType type, @Nullable String endpoint, @Nullable Integer port, @Nullable Duration interval,
                      @Nullable Duration timeout, int retries, int expectedStatus, @Nullable String pidFile) {
        this(type, endpoint, port, interval, timeout, retries, expectedStatus, pidFile, HealthVia.DIRECT);
    }

    /**
     * Fills the defaults for null {@code endpoint}, {@code interval}, {@code timeout} and {@code via}.
     *
     * @param via how the check reaches the service
     * @param endpoint the endpoint
     * @param interval the interval
     * @param timeout the timeout
     * @param expectedStatus the expected status
     * @param pidFile the pid file
     * @param port the port
     * @param retries the retries
     * @param type the type
     */
    public HealthSpec {
        via = Objects.requireNonNullElse(via, HealthVia.DIRECT);
        endpoint = Objects.requireNonNullElse(endpoint, DEFAULT_ENDPOINT);
        interval = Objects.requireNonNullElse(interval, DEFAULT_INTERVAL);
        timeout = Objects.requireNonNullElse(timeout, DEFAULT_TIMEOUT);
    }

    /**
     * Whether checks go through the machine's SSH connection ({@code via: ssh}).
     *
     * @return whether checks go through the machine's SSH connection ({@code via: ssh})
     */
    public boolean viaSsh() {
        return via == HealthVia.SSH;
    }
}

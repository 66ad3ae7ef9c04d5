package dev.portoser.registry;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * A published port of a Docker service ({@code port_mapping}): {@code host} on the machine to {@code container}.
 * Instances are immutable and thread-safe.
 *
 * @param host the port on the machine
 * @param container the port inside the container
 */
public record PortMapping(
        @NotNull(message = "missing required field (the port on the machine)")
        @Min(value = 1, message = "expected a port number from 1 to 65535") @Max(value = 65535, message = "expected a port number from 1 to 65535")
        Integer host,
        @NotNull(message = "missing required field (the port inside the container)")
        @Min(value = 1, message = "expected a port number from 1 to 65535") @Max(value = 65535, message = "expected a port number from 1 to 65535")
        Integer container) {
}

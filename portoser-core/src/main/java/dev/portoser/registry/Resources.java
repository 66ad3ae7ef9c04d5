package dev.portoser.registry;

import dev.portoser.registry.internal.Patterns;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Resource limits of a Docker service ({@code resources}), applied through a generated Compose override.
 * Each limit may be absent. Instances are immutable and thread-safe.
 *
 * @param memory memory limit such as {@code 512M}, or null
 * @param cpus CPU share such as {@code 0.5}, or null
 * @param disk disk limit such as {@code 1G}, or null
 */
public record Resources(
        @Nullable @Pattern(regexp = Patterns.SIZE, message = Patterns.SIZE_MESSAGE) String memory,
        @Nullable @DecimalMin(value = "0", inclusive = false, message = "expected a positive number of CPUs such as 0.5")
        Double cpus,
        @Nullable @Pattern(regexp = Patterns.SIZE, message = Patterns.SIZE_MESSAGE) String disk) {
}

/**
 * Health: one-shot {@link dev.portoser.health.HealthCheck}s for each health type of the registry (HTTP, TCP,
 * process), and {@link dev.portoser.health.HealthGate}, which polls them fast while a new instance starts.
 */
@NullMarked
package dev.portoser.health;

import org.jspecify.annotations.NullMarked;

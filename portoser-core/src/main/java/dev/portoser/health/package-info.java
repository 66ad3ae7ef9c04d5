/**
 * Health: one-shot {@link dev.portoser.health.HealthCheck}s for each health type of the registry (HTTP, TCP,
 * process), {@link dev.portoser.health.HealthGate}, which polls them fast while a new instance starts, and
 * {@link dev.portoser.health.HealthMonitor}, which checks every service continuously and keeps a
 * {@link dev.portoser.health.HealthState} per service (with dependencies and flapping), reporting changes to
 * {@link dev.portoser.health.HealthListener}s.
 */
@NullMarked
package dev.portoser.health;

import org.jspecify.annotations.NullMarked;

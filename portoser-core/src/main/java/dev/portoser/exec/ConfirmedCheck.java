package dev.portoser.exec;

import dev.portoser.health.HealthCheck;
import dev.portoser.health.HealthResult;
import dev.portoser.health.HealthStatus;
import dev.portoser.health.HealthTarget;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * What a step's health wait polls: the registry's check alone while it fails (it is cheap: a request from here),
 * and the deployer's own checks (our instance runs, and is the one on its port: a remote command) when it passes,
 * to confirm, and at most every {@code ownEvery} while it fails, so that an instance that died still ends the wait
 * soon ({@link HealthStatus#DOWN}). Healthy only when both pass in one poll. One wait's state: not thread-safe.
 */
final class ConfirmedCheck implements HealthCheck {
    private final HealthCheck registry;
    private final HealthCheck own;
    private final long ownEveryNanos;
    private final LongSupplier nanoTime;
    private long ownCheckedAt;

    ConfirmedCheck(HealthCheck registry, HealthCheck own, Duration ownEvery, LongSupplier nanoTime) {
        this.registry = registry;
        this.own = own;
        this.ownEveryNanos = ownEvery.toNanos();
        this.nanoTime = nanoTime;
        this.ownCheckedAt = nanoTime.getAsLong();
    }

    @Override
    public HealthResult check(HealthTarget target) {
        HealthResult outside = registry.check(target);
        long now = nanoTime.getAsLong();
        if (!outside.isHealthy() && now - ownCheckedAt < ownEveryNanos) {
            return outside;
        }
        ownCheckedAt = now;
        HealthResult inside = own.check(target);
        if (!inside.isHealthy()) {
            return inside.isDown() || outside.isHealthy() ? inside : outside;
        }
        if (!outside.isHealthy()) {
            return outside;
        }
        return new HealthResult(HealthStatus.HEALTHY, inside.detail() + "; " + outside.detail(),
                inside.latency().plus(outside.latency()));
    }
}

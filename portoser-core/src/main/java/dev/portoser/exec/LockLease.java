package dev.portoser.exec;

import dev.portoser.ErrorMessages;
import dev.portoser.state.LockManager;
import dev.portoser.transport.Transport;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease of the lock one step holds: renewed every third of the lease in the background, each renewal on its own
 * thread so that a slow machine never delays another machine's renewals. When the lease is lost — another run took
 * the lock over, or renewing failed for longer than the lease — the step's thread is interrupted, so the step stops
 * instead of carrying on without its lock.
 */
final class LockLease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LockLease.class);

    private final LockManager locks;
    private final Transport transport;
    private final String service;
    private final Thread owner;
    private final AtomicBoolean renewing = new AtomicBoolean();
    private final ScheduledFuture<?> schedule;
    private volatile long renewedAt = System.nanoTime();
    private volatile @Nullable String lost;
    private boolean closed;

    LockLease(LockManager locks, Transport transport, String service, ScheduledExecutorService timer,
              ExecutorService renewers) {
        this.locks = locks;
        this.transport = transport;
        this.service = service;
        this.owner = Thread.currentThread();
        long every = Math.max(1, locks.lease().toMillis() / 3);
        this.schedule = timer.scheduleAtFixedRate(() -> {
            if (renewing.compareAndSet(false, true)) { // never two renewals of one lock at once
                try {
                    renewers.execute(this::renew);
                } catch (java.util.concurrent.RejectedExecutionException shutDown) {
                    renewing.set(false);
                }
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    private void renew() {
        try {
            if (locks.renew(transport, service)) {
                renewedAt = System.nanoTime();
            } else {
                lose("its lease ran out and another run took it over");
            }
        } catch (RuntimeException e) {
            if (System.nanoTime() - renewedAt > locks.lease().toNanos()) {
                lose("it could not be renewed for longer than its lease (" + ErrorMessages.describe(e) + ")");
            } else {
                LOG.warn("cannot renew the lock of {} on {}: {}", service, transport.machine().name(),
                        ErrorMessages.describe(e));
            }
        } finally {
            renewing.set(false);
        }
    }

    private synchronized void lose(String why) {
        if (closed || lost != null) {
            return;
        }
        lost = "the lock of " + service + " on " + transport.machine().name() + " was lost: " + why
                + "; the step was stopped";
        LOG.warn("{}", lost);
        owner.interrupt();
    }

    /** Why the lease was lost, or null while it holds. */
    @Nullable String lost() {
        return lost;
    }

    /** Stops renewing; a loss noticed after this interrupts nothing. */
    @Override
    public synchronized void close() {
        closed = true;
        schedule.cancel(false);
        if (lost != null) {
            Thread.interrupted(); // the step has been told through its outcome; the worker thread goes on clean
        }
    }
}

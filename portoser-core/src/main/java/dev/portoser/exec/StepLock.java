package dev.portoser.exec;

import dev.portoser.plan.Step;
import dev.portoser.registry.Machine;
import dev.portoser.state.LockManager;
import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * The transport a step's deployer gets: it takes the step's lock with the step's first remote command, in the same
 * round trip (and there hands back the locks this controller is done with on that machine), so that a step costs no
 * round trip of its own for locking. When the lock is not free at once, it goes the long way: waits as the executor
 * is told to, takes over a lock whose owner is gone, then runs the command. Either way nothing runs on the machine
 * for the step before its lock is held, and the lease is renewed from then on. Used by one step's thread.
 */
final class StepLock implements Transport {
    /** Takes the lock the long way (waiting, judging owners), for when it was not free at once. */
    @FunctionalInterface
    interface Fallback {
        String acquire(Step step, Transport transport) throws InterruptedException;
    }

    private final Transport delegate;
    private final Step step;
    private final LockManager locks;
    private final PendingReleases releases;
    private final Fallback fallback;
    private final ExecutionListener listener;
    private final ScheduledExecutorService renewals;
    private final ExecutorService renewers;
    private @Nullable LockLease lease;

    StepLock(Transport delegate, Step step, LockManager locks, PendingReleases releases, Fallback fallback,
             ExecutionListener listener, ScheduledExecutorService renewals, ExecutorService renewers) {
        this.delegate = delegate;
        this.step = step;
        this.locks = locks;
        this.releases = releases;
        this.fallback = fallback;
        this.listener = listener;
        this.renewals = renewals;
        this.renewers = renewers;
    }

    @Override
    public Machine machine() {
        return delegate.machine();
    }

    @Override
    public CommandResult exec(Command command) {
        if (lease != null) {
            return delegate.exec(command);
        }
        Optional<LockManager.Taken> taken = locks.acquireAndRun(delegate, step.service(), command,
                releases.takeFor(step.machine()));
        if (taken.isPresent()) {
            held(taken.get().tookOver());
            return taken.get().result();
        }
        lockTheLongWay();
        return delegate.exec(command);
    }

    @Override
    public void upload(InputStream content, String path, int mode) {
        if (lease == null) {
            lockTheLongWay();
        }
        delegate.upload(content, path, mode);
    }

    @Override
    public byte[] read(String path) {
        if (lease == null) {
            lockTheLongWay();
        }
        return delegate.read(path);
    }

    @Override
    public boolean isReachable(Duration timeout) {
        return delegate.isReachable(timeout);
    }

    private void lockTheLongWay() {
        // Locks of ours still waiting for their release would otherwise look held, by ourselves.
        releases.flush(step.machine(), delegate);
        try {
            held(fallback.acquire(step, delegate).equals("took-over"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException(step.machine(), "interrupted while taking the lock of " + step.service(),
                    e);
        }
    }

    private void held(boolean tookOver) {
        listener.lockAcquired(step, tookOver);
        lease = new LockLease(locks, delegate, step.service(), renewals, renewers);
    }

    /** Whether the step holds its lock (it has run a remote command). */
    boolean held() {
        return lease != null;
    }

    /** Why the lease was lost, or null while it holds (or before it was taken). */
    @Nullable String lost() {
        LockLease l = lease;
        return l == null ? null : l.lost();
    }

    /** Ends the step: stops renewing, and hands the lock to the pending releases (released off the critical path). */
    void done() {
        LockLease l = lease;
        if (l != null) {
            l.close();
            releases.add(delegate.machine(), step.service());
        }
    }

    @Override
    public void close() {
        delegate.close();
    }
}

package dev.portoser.transport.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread pools whose threads are daemons named {@code portoser-<name>-<n>}, as every thread we own must be. */
public final class DaemonThreads {
    private DaemonThreads() {
    }

    /**
     * A cached pool of daemon threads.
     *
     * @param name the middle of the thread names, such as {@code ssh}
     * @return the pool; shut it down when its owner closes
     */
    public static ExecutorService cachedPool(String name) {
        AtomicInteger count = new AtomicInteger();
        return Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "portoser-" + name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }
}

package dev.portoser.secret;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.SecretRef;
import dev.portoser.registry.Service;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the versions of the secrets that services use and reports each change, so the services can be restarted
 * with the new value (Vault's KV versions; providers without versions are not watched).
 *
 * <pre>{@code
 * RotationWatcher watcher = new RotationWatcher(registry, vault, Duration.ofMinutes(1), rotation ->
 *         executor.run(registry, Planner.of(registry).restart(rotation.service())));   // health-gated restart
 * watcher.start();
 * }</pre>
 *
 * <p>The first poll only learns the versions; later polls report what changed, one {@link Rotation} per service
 * and path. Polls never log or report values. Thread-safe; {@link #close()} is idempotent and stops the daemon
 * thread {@code portoser-rotation}.
 */
public final class RotationWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RotationWatcher.class);

    /**
     * A secret of a service got a new version.
     *
     * @param service the service using it
     * @param path the secret's path
     * @param previousVersion the version the service was using
     * @param currentVersion the version now in the provider
     */
    public record Rotation(String service, String path, String previousVersion, String currentVersion) {
    }

    private final Registry registry;
    private final SecretProvider provider;
    private final Duration interval;
    private final Consumer<Rotation> onRotation;
    private final Map<String, String> versions = new HashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private @Nullable ScheduledExecutorService timer;

    /**
     * A watcher.
     *
     * @param registry the services to watch (those with {@code vault_secrets})
     * @param provider where the secrets live
     * @param interval time between polls
     * @param onRotation called for each change, from the watcher's thread; it may restart the service
     */
    public RotationWatcher(Registry registry, SecretProvider provider, Duration interval, Consumer<Rotation> onRotation) {
        this.registry = Objects.requireNonNull(registry, "registry == null");
        this.provider = Objects.requireNonNull(provider, "provider == null");
        this.interval = Objects.requireNonNull(interval, "interval == null");
        this.onRotation = Objects.requireNonNull(onRotation, "onRotation == null");
    }

    /** Polls every interval on a daemon thread until {@link #close()}. */
    public synchronized void start() {
        if (timer != null || closed.get()) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portoser-rotation");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                poll();
            } catch (RuntimeException e) {
                LOG.warn("polling secret versions failed: {}", e.getMessage());
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Checks every watched secret once and reports what changed since the last check.
     *
     * @return the changes found (also passed to the callback)
     */
    public synchronized List<Rotation> poll() {
        List<Rotation> found = new ArrayList<>();
        for (Service service : registry.services().values()) {
            Machine machine = registry.machine(service.machine()).orElseThrow();
            for (SecretRef ref : service.vaultSecrets()) {
                String version = provider.read(machine, ref.path(), ref.keys().get(0)).version();
                if (version == null) {
                    continue;
                }
                String key = service.name() + "\0" + ref.path();
                String previous = versions.put(key, version);
                if (previous != null && !previous.equals(version)) {
                    found.add(new Rotation(service.name(), ref.path(), previous, version));
                }
            }
        }
        for (Rotation rotation : found) {
            LOG.info("secret {} of {} moved from version {} to {}", rotation.path(), rotation.service(),
                    rotation.previousVersion(), rotation.currentVersion());
            onRotation.accept(rotation);
        }
        return found;
    }

    @Override
    public synchronized void close() {
        if (closed.compareAndSet(false, true) && timer != null) {
            timer.shutdownNow();
        }
    }
}

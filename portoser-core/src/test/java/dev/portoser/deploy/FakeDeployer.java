package dev.portoser.deploy;

import dev.portoser.health.HealthCheck;
import dev.portoser.health.HealthResult;
import dev.portoser.registry.Service;
import dev.portoser.registry.ServiceType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory deployer for tests: "runs" a service as an entry in a map (an instance id and the digest of its
 * configuration), so code that drives deployers can be tested without machines. {@link #crash} ends an instance
 * behind its back. It passes {@link DeployerContract}, so it cannot drift from what real deployers do. Thread-safe.
 */
public final class FakeDeployer implements Deployer {
    private record Instance(String id, String digest, boolean alive) {
    }

    private final ServiceType type;
    private final Map<String, Instance> instances = new ConcurrentHashMap<>();
    private final Map<String, String> installed = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(1000);

    /**
     * A fake for a type.
     *
     * @param type the service type it claims
     */
    public FakeDeployer(ServiceType type) {
        this.type = type;
    }

    @Override
    public ServiceType type() {
        return type;
    }

    private static String key(DeployContext c) {
        return c.machine().name() + "/" + c.service().name();
    }

    private static String digest(DeployContext c) {
        Service s = c.service();
        return c.digest().of(s.path(), String.valueOf(s.command()), String.valueOf(c.port()), s.env().toString(),
                c.secrets().values().stream().map(c.digest()::secret).toList().toString());
    }

    @Override
    public synchronized DeployResult deploy(DeployContext context) {
        String digest = digest(context);
        Instance now = instances.get(key(context));
        if (now != null && now.alive() && now.digest().equals(digest)) {
            return new DeployResult(DeployResult.Change.UNCHANGED, "already running this configuration");
        }
        installed.put(key(context), digest);
        instances.put(key(context), new Instance(String.valueOf(ids.incrementAndGet()), digest, true));
        boolean restart = now != null && now.alive();
        return new DeployResult(restart ? DeployResult.Change.RESTARTED : DeployResult.Change.STARTED,
                restart ? "restarted" : "started");
    }

    @Override
    public synchronized void start(DeployContext context) {
        Instance now = instances.get(key(context));
        if (now == null || !now.alive()) {
            String digest = installed.getOrDefault(key(context), digest(context));
            instances.put(key(context), new Instance(String.valueOf(ids.incrementAndGet()), digest, true));
        }
    }

    @Override
    public synchronized void stop(DeployContext context) {
        instances.remove(key(context));
    }

    @Override
    public synchronized void remove(DeployContext context) {
        instances.remove(key(context));
        installed.remove(key(context));
    }

    @Override
    public ServiceStatus status(DeployContext context) {
        Instance now = instances.get(key(context));
        if (now == null) {
            return ServiceStatus.stopped("not running");
        }
        return now.alive() ? ServiceStatus.running(List.of(now.id()), now.digest(), "instance " + now.id() + " runs")
                : ServiceStatus.failed(137, "instance " + now.id() + " was killed");
    }

    @Override
    public List<HealthCheck> healthChecks(Service service) {
        return List.of(target -> {
            long start = System.nanoTime();
            Instance now = instances.get(target.machine().name() + "/" + service.name());
            return now != null && now.alive() ? HealthResult.healthy("instance " + now.id() + " runs", start)
                    : HealthResult.down("no instance runs", start);
        });
    }

    @Override
    public String logs(DeployContext context, int lines) {
        Instance now = instances.get(key(context));
        return now == null ? "" : "instance " + now.id() + "\n";
    }

    /**
     * Ends the service's instance as a crash would: status then says FAILED.
     *
     * @param context the service and machine
     */
    public synchronized void crash(DeployContext context) {
        instances.computeIfPresent(key(context), (k, i) -> new Instance(i.id(), i.digest(), false));
    }
}

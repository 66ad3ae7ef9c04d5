package dev.portoser.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import dev.portoser.deploy.Deployers;
import dev.portoser.health.HealthListener;
import dev.portoser.health.HealthMonitor;
import dev.portoser.health.HealthResult;
import dev.portoser.health.HealthTransition;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.LocalTransport;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link HealthMonitor} at scale: N HTTP endpoints on loopback, served by one small separate process
 * ({@link LoopbackHttpFarm}, so its CPU is not counted as ours), every one checked at a 1 s interval. Measures the
 * checks achieved against the schedule, the lateness of check starts (p50/p99/max), this process's CPU (through
 * {@link OperatingSystemMXBean#getProcessCpuTime()}, so everything the monitor does counts), its heap and its
 * threads. Then, with {@code --max}, raises N until fewer than 99 % of the scheduled checks happen, or fewer
 * than 99 % of them start within 100 ms of their time.
 *
 * <p>{@code java -cp portoser-benchmarks/target/benchmarks.jar dev.portoser.benchmarks.HealthMonitorBenchmark
 * [ENDPOINTS=2000] [SECONDS=60] [--max]}. Traffic goes only to loopback. With {@code --process [N=500] [SECONDS]},
 * N {@code process} checks on this machine instead: how many commands their batching runs.
 */
public final class HealthMonitorBenchmark {
    private static final int PORTS = 2000;

    private HealthMonitorBenchmark() {
    }

    /** What one run measured. */
    record Figures(int endpoints, int seconds, long checks, long expected, long failed, double p50, double p99,
                   double max, double onTime, double cores, long heapMb, int threads) {
        double onSchedule() {
            return (double) checks / expected;
        }

        String line() {
            return String.format(Locale.ROOT, "%6d endpoints %3d s: %8d checks of %8d expected (%.2f %%), %.0f/s, "
                    + "%d failed; lateness p50 %.1f ms p99 %.1f ms max %.1f ms, %.2f %% started within 100 ms; "
                    + "CPU %.2f cores; heap %d MB; %d threads", endpoints, seconds, checks, expected,
                    100 * onSchedule(), (double) checks / seconds, failed, p50, p99, max, 100 * onTime, cores, heapMb,
                    threads);
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        if (rest.remove("--process")) {
            processChecks(rest.isEmpty() ? 500 : Integer.parseInt(rest.get(0)), rest.size() > 1
                    ? Integer.parseInt(rest.get(1)) : 20);
            return;
        }
        boolean max = rest.remove("--max");
        int endpoints = rest.size() > 0 ? Integer.parseInt(rest.get(0)) : 2000;
        int seconds = rest.size() > 1 ? Integer.parseInt(rest.get(1)) : 60;
        Process farm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                LoopbackHttpFarm.class.getName(), String.valueOf(PORTS))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(farm.getInputStream(),
                    StandardCharsets.US_ASCII));
            List<Integer> ports = new ArrayList<>();
            for (String line = in.readLine(); line != null && !line.equals("ready"); line = in.readLine()) {
                ports.add(Integer.parseInt(line));
            }
            System.out.println("monitor on " + Runtime.getRuntime().availableProcessors() + " cores, "
                    + ports.size() + " listening ports in one server process (pid " + farm.pid() + ")");
            Figures first = run(ports, endpoints, seconds);
            System.out.println(first.line());
            if (max) {
                int n = Math.max(endpoints, 2000);
                Figures last = first;
                while (last.onSchedule() >= 0.99 && last.onTime() >= 0.99) {
                    n += n < 8000 ? 2000 : 4000;
                    last = run(ports, n, 20);
                    System.out.println(last.line());
                }
            }
        } finally {
            farm.getOutputStream().close();
            if (!farm.waitFor(5, TimeUnit.SECONDS)) {
                farm.destroyForcibly();
            }
        }
    }

    /** Endpoint i is port i mod the ports, path /e{i}: beyond 2,000 endpoints several paths share a port. */
    static Registry registry(List<Integer> ports, int endpoints) {
        StringBuilder yaml = new StringBuilder("machines:\n  here: {host: localhost, user: bench, platform: linux}\n"
                + "services:\n");
        for (int i = 0; i < endpoints; i++) {
            yaml.append("  e").append(i).append(": {type: local, path: /srv/e, machine: here, command: ./e, health: ")
                    .append("{type: http, port: ").append(ports.get(i % ports.size())).append(", endpoint: /e")
                    .append(i).append(", interval: 1s, timeout: 2s}}\n");
        }
        return Registry.parse(yaml.toString());
    }

    static Figures run(List<Integer> ports, int endpoints, int seconds) throws Exception {
        Registry registry = registry(ports, endpoints);
        long warmup = TimeUnit.SECONDS.toNanos(5);
        AtomicLong measuring = new AtomicLong(Long.MAX_VALUE);
        long[] lateness = new long[endpoints * (seconds + 3)];
        AtomicLong count = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        HealthListener listener = new HealthListener() {
            @Override
            public void transition(HealthTransition t) {
            }

            @Override
            public void checked(String service, HealthResult result, Duration late) {
                if (System.nanoTime() < measuring.get()) {
                    return;
                }
                long i = count.getAndIncrement();
                if (i < lateness.length) {
                    lateness[(int) i] = late.toNanos();
                }
                if (!result.isHealthy()) {
                    failed.incrementAndGet();
                }
            }
        };
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        // No contributed checks: the endpoints are not services deployed by Portoser.
        try (HealthMonitor monitor = HealthMonitor.builder(registry).deployers(Deployers.of()).listener(listener)
                .start()) {
            TimeUnit.NANOSECONDS.sleep(warmup); // the benchmark's own timing, not a test synchronising
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            measuring.set(t0);
            TimeUnit.SECONDS.sleep(seconds);
            measuring.set(Long.MAX_VALUE);
            long t1 = System.nanoTime();
            long cpu1 = os.getProcessCpuTime();
            int threads = ManagementFactory.getThreadMXBean().getThreadCount();
            long heapUsed = memory.getHeapMemoryUsage().getUsed();
            System.gc();
            long heapLive = memory.getHeapMemoryUsage().getUsed();
            long n = Math.min(count.get(), lateness.length);
            long[] sorted = Arrays.copyOf(lateness, (int) n);
            Arrays.sort(sorted);
            double wall = (t1 - t0) / 1e9;
            System.out.printf(Locale.ROOT, "  heap used %d MB before GC, %d MB live after%n", heapUsed >> 20,
                    heapLive >> 20);
            return new Figures(endpoints, seconds, count.get(), (long) endpoints * seconds, failed.get(),
                    percentile(sorted, 0.50), percentile(sorted, 0.99), n == 0 ? 0 : sorted[(int) n - 1] / 1e6,
                    n == 0 ? 0 : (double) Arrays.stream(sorted).filter(l -> l < 100_000_000L).count() / n,
                    (cpu1 - cpu0) / 1e9 / wall, heapLive >> 20, threads);
        }
    }

    /**
     * N {@code process} checks of one machine (this one, through {@link LocalTransport}) at 1 s: how many commands
     * the batching runs for them, and at what cost.
     */
    static void processChecks(int services, int seconds) throws Exception {
        Path pidFile = java.nio.file.Files.createTempFile("portoser-bench", ".pid");
        java.nio.file.Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
        StringBuilder yaml = new StringBuilder("machines:\n  here: {host: localhost, user: bench, platform: linux}\n"
                + "services:\n");
        for (int i = 0; i < services; i++) {
            yaml.append("  p").append(i).append(": {type: local, path: /srv/p, machine: here, command: ./p, health: ")
                    .append("{type: process, pid_file: ").append(pidFile).append(", interval: 1s, timeout: 5s}}\n");
        }
        AtomicLong commands = new AtomicLong();
        TransportFactory counting = new TransportFactory() {
            @Override
            public Transport open(Machine machine) {
                LocalTransport local = new LocalTransport(machine);
                return new Transport() {
                    @Override
                    public Machine machine() {
                        return machine;
                    }

                    @Override
                    public CommandResult exec(Command command) {
                        commands.incrementAndGet();
                        return local.exec(command);
                    }

                    @Override
                    public void upload(java.io.InputStream content, String path, int mode) {
                        local.upload(content, path, mode);
                    }

                    @Override
                    public byte[] read(String path) {
                        return local.read(path);
                    }

                    @Override
                    public boolean isReachable(Duration timeout) {
                        return local.isReachable(timeout);
                    }

                    @Override
                    public void close() {
                        local.close();
                    }
                };
            }

            @Override
            public void close() {
            }
        };
        AtomicLong checks = new AtomicLong();
        AtomicLong healthy = new AtomicLong();
        AtomicLong measuring = new AtomicLong(Long.MAX_VALUE);
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (HealthMonitor monitor = HealthMonitor.builder(Registry.parse(yaml.toString())).deployers(Deployers.of())
                .localTransports(counting).listener(new HealthListener() {
                    @Override
                    public void transition(HealthTransition t) {
                    }

                    @Override
                    public void checked(String service, HealthResult result, Duration lateness) {
                        if (System.nanoTime() >= measuring.get()) {
                            checks.incrementAndGet();
                            if (result.isHealthy()) {
                                healthy.incrementAndGet();
                            }
                        }
                    }
                }).start()) {
            TimeUnit.SECONDS.sleep(5);
            long c0 = commands.get();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            measuring.set(t0);
            TimeUnit.SECONDS.sleep(seconds);
            measuring.set(Long.MAX_VALUE);
            double wall = (System.nanoTime() - t0) / 1e9;
            long cmds = commands.get() - c0;
            System.out.printf(Locale.ROOT, "%5d process checks %3d s: %d checks (%.0f/s, %d healthy) in %d commands "
                    + "(%.1f/s, %.0f checks each); CPU %.2f cores (this process; the shells are separate)%n", services,
                    seconds, checks.get(), checks.get() / wall, healthy.get(), cmds, cmds / wall,
                    cmds == 0 ? 0.0 : (double) checks.get() / cmds, (os.getProcessCpuTime() - cpu0) / 1e9 / wall);
        } finally {
            java.nio.file.Files.deleteIfExists(pidFile);
        }
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
    }
}

package dev.portoser.benchmarks;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Platform;
import dev.portoser.ssh.SshTransportFactory;
import dev.portoser.transport.Command;
import dev.portoser.transport.Transport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Command round trips over SSH: Portoser's pooled SSHJ connection against OpenSSH's own client with
 * ControlMaster/ControlPersist (its fastest mode), on the same test bed host, alternating in blocks in one run so
 * both see the same machine state. Then 10 hosts × 100 commands in parallel, each tool.
 *
 * <p>Run as root (it starts the project's test bed, which needs network namespaces):
 * {@code java -cp portoser-benchmarks/target/benchmarks.jar dev.portoser.benchmarks.SshRoundTripBenchmark [ROUNDS]}.
 * Prints medians, the ratio and the negotiated key exchange. Traffic goes only to the test bed's own hosts.
 */
public final class SshRoundTripBenchmark {
    private static final int BLOCK = 100;

    private SshRoundTripBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        BenchTestBed.with(10, dir -> measure(dir, rounds));
    }

    private static void measure(Path dir, int rounds) throws Exception {
        List<Machine> machines = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("hosts"))) {
            String[] f = line.split(" ");
            machines.add(new Machine(f[0], f[1], "root", Platform.LINUX, Integer.parseInt(f[2]),
                    dir.resolve("id_ed25519").toString(), null, null, null, null, List.of()));
        }
        Path controlDir = Files.createDirectories(dir.resolve("cm"));
        try (SshTransportFactory ssh = SshTransportFactory.builder().knownHosts(dir.resolve("known_hosts")).build()) {
            Machine first = machines.get(0);
            Transport sshj = ssh.open(first);
            for (int i = 0; i < 200; i++) { // warm up both: JIT on our side, the master connection on theirs
                sshj.exec(Command.of("true"));
                openssh(dir, controlDir, first);
            }
            long[] ours = new long[rounds * BLOCK];
            long[] theirs = new long[rounds * BLOCK];
            long oursTotal = 0;
            long theirsTotal = 0;
            for (int r = 0; r < rounds; r++) {
                long start = System.nanoTime();
                for (int i = 0; i < BLOCK; i++) {
                    long t = System.nanoTime();
                    if (!sshj.exec(Command.of("true")).succeeded()) {
                        throw new IllegalStateException("true failed over SSHJ");
                    }
                    ours[r * BLOCK + i] = System.nanoTime() - t;
                }
                oursTotal += System.nanoTime() - start;
                start = System.nanoTime();
                for (int i = 0; i < BLOCK; i++) {
                    long t = System.nanoTime();
                    openssh(dir, controlDir, first);
                    theirs[r * BLOCK + i] = System.nanoTime() - t;
                }
                theirsTotal += System.nanoTime() - start;
            }
            System.out.printf(Locale.ROOT, "sequential 'true' x %d on %s, alternating blocks of %d%n", rounds * BLOCK,
                    first.host(), BLOCK);
            System.out.printf(Locale.ROOT, "  portoser (SSHJ, pooled):        median %.2f ms, p90 %.2f ms, total %.2f s%n",
                    ms(median(ours)), ms(percentile(ours, 90)), oursTotal / 1e9);
            System.out.printf(Locale.ROOT, "  OpenSSH ssh (ControlMaster):    median %.2f ms, p90 %.2f ms, total %.2f s%n",
                    ms(median(theirs)), ms(percentile(theirs, 90)), theirsTotal / 1e9);
            System.out.printf(Locale.ROOT, "  ratio of medians (portoser / OpenSSH): %.2f%n",
                    (double) median(ours) / median(theirs));
            System.out.println("  negotiated by portoser: " + ssh.negotiatedAlgorithms(first).orElse("?"));
            System.out.println("  negotiated by OpenSSH:  " + opensshKex(dir, first));

            // 10 hosts x 100 commands in parallel, one thread per host.
            for (Machine m : machines) {
                ssh.open(m).exec(Command.of("true"));
                openssh(dir, controlDir, m);
            }
            ExecutorService pool = Executors.newFixedThreadPool(machines.size());
            try {
                long start = System.nanoTime();
                List<Future<?>> done = new ArrayList<>();
                for (Machine m : machines) {
                    Transport t = ssh.open(m);
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < 100; i++) {
                            t.exec(Command.of("true"));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
                double oursParallel = (System.nanoTime() - start) / 1e9;
                start = System.nanoTime();
                done.clear();
                for (Machine m : machines) {
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < 100; i++) {
                            openssh(dir, controlDir, m);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
                double theirsParallel = (System.nanoTime() - start) / 1e9;
                System.out.printf(Locale.ROOT, "parallel: %d hosts x 100 'true'%n", machines.size());
                System.out.printf(Locale.ROOT, "  portoser: %.2f s, OpenSSH ControlMaster: %.2f s, ratio %.2f%n",
                        oursParallel, theirsParallel, oursParallel / theirsParallel);
            } finally {
                pool.shutdownNow();
            }
        } finally {
            for (Machine m : machines) {
                try {
                    BenchTestBed.run("ssh", "-o", "ControlPath=" + controlDir + "/%C", "-O", "exit", "root@" + m.host());
                } catch (IOException e) {
                    // The master may already be gone.
                }
            }
        }
    }

    private static void openssh(Path dir, Path controlDir, Machine m) throws IOException, InterruptedException {
        BenchTestBed.run("ssh", "-i", dir.resolve("id_ed25519").toString(), "-o", "UserKnownHostsFile=" + dir.resolve("known_hosts"),
                "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
                "-o", "ControlMaster=auto", "-o", "ControlPath=" + controlDir + "/%C", "-o", "ControlPersist=120",
                "-p", String.valueOf(m.sshPort()), "root@" + m.host(), "true");
    }

    private static String opensshKex(Path dir, Machine m) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ssh", "-v", "-i", dir.resolve("id_ed25519").toString(),
                "-o", "UserKnownHostsFile=" + dir.resolve("known_hosts"), "-o", "BatchMode=yes",
                "-o", "ControlMaster=no", "-o", "ControlPath=none", "root@" + m.host(), "true")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out.lines().filter(l -> l.contains("kex: algorithm:")).findFirst()
                .map(l -> "kex=" + l.substring(l.indexOf("kex: algorithm:") + 16).strip()).orElse("?")
                + " (the master connection; each 'ssh true' reuses it without a key exchange)";
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static long median(long[] values) {
        return percentile(values, 50);
    }

    private static long percentile(long[] values, int p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}

package dev.portoser.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The project's test bed for the benchmark harnesses: up in a fresh directory, down again whatever happens. */
final class BenchTestBed {
    private static final Path SCRIPT = Path.of("testbed", "testbed.sh").toAbsolutePath();

    /** Work done while the hosts are up. */
    interface Work {
        void run(Path dir) throws Exception;
    }

    private BenchTestBed() {
    }

    /** Brings up {@code hosts} hosts, runs the work, and tears them down. */
    static void with(int hosts, Work work) throws Exception {
        Path dir = Files.createTempDirectory("portoser-bench-");
        Files.delete(dir);
        run(SCRIPT.toString(), "up", String.valueOf(hosts), dir.toString());
        try {
            work.run(dir);
        } finally {
            run(SCRIPT.toString(), "down", dir.toString());
        }
    }

    /** Runs a command, failing with its output when it fails. */
    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}

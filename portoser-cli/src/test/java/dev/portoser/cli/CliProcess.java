package dev.portoser.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the packaged CLI as a user would: a separate process, its exit code and its output. */
final class CliProcess {
    /**
     * The shaded jar that {@code ./portoser} runs; built in the package phase, before the ITs. The
     * {@code portoser.cli.jar} property points the ITs at another build, such as one of an older commit.
     */
    static final Path JAR = Path.of(System.getProperty("portoser.cli.jar", "target/portoser.jar")).toAbsolutePath();

    /**
     * What a run printed and returned.
     *
     * @param exitCode the exit code
     * @param stdout standard output
     * @param stderr standard error
     */
    record Result(int exitCode, String stdout, String stderr) {
    }

    private CliProcess() {
    }

    /**
     * Kills what the tests' {@code local} services left running under a sandboxed home ({@code KillRecorded}, plus
     * any runner of ours whose records were deleted on purpose), bounded.
     */
    static void killLeftovers(Path workDir, Path home) throws IOException, InterruptedException {
        ProcessBuilder kill = new ProcessBuilder("sh", "-c", dev.portoser.deploy.KillRecorded.SCRIPT
                + "; pkill -f \"$HOME/.portoser/run/portoser-run\" || true")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).directory(workDir.toFile());
        kill.environment().put("HOME", home.toString());
        kill.start().waitFor(30, TimeUnit.SECONDS);
    }

    static Result run(Path workDir, Map<String, String> environment, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-jar");
        command.add(JAR.toString());
        command.addAll(List.of(args));
        return exec(command, workDir, environment);
    }

    static Result exec(List<String> command, Path workDir, Map<String, String> environment)
            throws IOException, InterruptedException {
        return exec(command, workDir, environment, java.util.Set.of());
    }

    /** Runs a command with these environment variables set and those of {@code unset} removed. */
    static Result exec(List<String> command, Path workDir, Map<String, String> environment,
                       java.util.Set<String> unset) throws IOException, InterruptedException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run the ITs through 'mvn verify'");
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        builder.environment().remove("REGISTRY_FILE");
        builder.environment().keySet().removeAll(unset);
        builder.environment().putAll(environment);
        Path out = Files.createTempFile("portoser-out", ".txt");
        Path err = Files.createTempFile("portoser-err", ".txt");
        try {
            Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("portoser did not finish in 120 s: " + command);
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Waits (polling with a bound) until a file a process writes its output to matches, and returns its text. */
    static String awaitOutput(Path file, java.util.regex.Pattern expected, java.time.Duration bound) throws Exception {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            String text = Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
            if (expected.matcher(text).find()) {
                return text;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + expected + "' within " + bound + " in:\n" + text);
            }
            java.util.concurrent.TimeUnit.MILLISECONDS.sleep(50); // polling the output with a bound
        }
    }
}

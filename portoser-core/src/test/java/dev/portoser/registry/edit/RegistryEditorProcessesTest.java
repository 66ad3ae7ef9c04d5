package dev.portoser.registry.edit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.registry.Registry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Editors in separate JVM processes: concurrent edits lose nothing, and a kill during save leaves a whole file. */
class RegistryEditorProcessesTest {
    private static final String REGISTRY = """
            # shared by eight editors
            machines:
              m1: {host: localhost, user: deploy, platform: linux}

            services:
              web:
                type: local
                path: /opt/web
                machine: m1
                command: ./web
            """;

    @TempDir
    Path dir;

    private static Process child(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), EditorChild.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static String output(Process p) throws Exception {
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the child finished in 120 s").isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private List<String> runEight(Path file, String round, int attempts) throws Exception {
        Path ready = Files.createDirectories(dir.resolve("ready-" + round));
        Path go = dir.resolve("go-" + round);
        List<Process> children = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            children.add(child("add", file.toString(), round + "-s" + i, ready.toString(), go.toString(),
                    String.valueOf(attempts)));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            try (Stream<Path> files = Files.list(ready)) {
                if (files.count() == 8) {
                    break;
                }
            }
            assertThat(System.nanoTime()).as("all eight editors read the file within 90 s").isLessThan(deadline);
            assertThat(children).allMatch(Process::isAlive);
            Thread.onSpinWait();
        }
        Files.createFile(go);
        List<String> lines = new ArrayList<>();
        for (Process p : children) {
            String out = output(p);
            assertThat(p.exitValue()).as(out).isZero();
            out.lines().filter(l -> l.startsWith("OK ") || l.startsWith("CONFLICT ")).forEach(lines::add);
        }
        return lines;
    }

    @Test
    void eightProcessesEditingAtOnceLoseNoSuccessfulEditAndTheOthersReportAConflict() throws Exception {
        Path file = dir.resolve("registry.yml");
        Files.writeString(file, REGISTRY);

        // Everyone read the same version; one save wins, the others are refused.
        List<String> once = runEight(file, "a", 1);
        Set<String> ok = names(once, "OK ");
        Set<String> conflicts = names(once, "CONFLICT ");
        assertThat(ok.size() + conflicts.size()).isEqualTo(8);
        assertThat(ok).isNotEmpty();
        assertThat(conflicts).isNotEmpty();
        Registry after = Registry.load(file);
        assertThat(after.services().keySet()).containsAll(ok).doesNotContainAnyElementsOf(conflicts);

        // Retrying after a conflict, every editor gets its edit in.
        List<String> retried = runEight(file, "b", 50);
        Set<String> succeeded = names(retried, "OK ");
        assertThat(succeeded).hasSize(8);
        assertThat(names(retried, "CONFLICT ")).isNotEmpty();
        Registry last = Registry.load(file);
        assertThat(last.services().keySet()).containsAll(ok).containsAll(succeeded).hasSize(1 + ok.size() + 8);
        assertThat(Files.readString(file)).startsWith("# shared by eight editors\n");
    }

    private static Set<String> names(List<String> lines, String prefix) {
        Set<String> names = new HashSet<>();
        lines.stream().filter(l -> l.startsWith(prefix)).forEach(l -> names.add(l.substring(prefix.length())));
        return names;
    }

    @Test
    void aProcessKilledDuringSaveLeavesTheOldOrTheNewFileNeverAMix() throws Exception {
        Path file = dir.resolve("registry.yml");
        Files.writeString(file, REGISTRY);
        String initial = RegistryFiles.sha256(Files.readAllBytes(file));
        int midSave = 0;
        for (int round = 0; round < 6; round++) {
            Process p = child("save-loop", file.toString());
            List<String> lines = new CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the child was killed
                }
            });
            reader.start();
            int saves = 3 + round * 4;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (lines.stream().filter(l -> l.startsWith("SAVING")).count() < saves) {
                assertThat(System.nanoTime()).as("the child saved " + saves + " times in 90 s: " + lines)
                        .isLessThan(deadline);
                assertThat(p.isAlive() || lines.size() > 0).isTrue();
                Thread.onSpinWait();
            }
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join(TimeUnit.SECONDS.toMillis(30));
            List<String> seen = new ArrayList<>(lines);
            if (!seen.isEmpty() && seen.get(seen.size() - 1).startsWith("SAVING")) {
                midSave++;
            }
            Set<String> possible = new HashSet<>();
            possible.add(initial);
            seen.stream().filter(l -> l.startsWith("SAVING ")).forEach(l -> possible.add(l.substring(7)));
            String now = RegistryFiles.sha256(Files.readAllBytes(file));
            assertThat(possible).as("the file is one whole version").contains(now);
            assertThat(Registry.load(file).service("web")).isPresent();
            initial = now;
        }
        // Most kills land while a save is under way (between SAVING and SAVED).
        System.out.println("killed during a save in " + midSave + " of 6 rounds");
        assertThat(midSave).isPositive();
        // The next save, under the lock, removes the temp files that killed saves left behind.
        RegistryEditor.open(file).updateService("web", java.util.Map.of("description", "after")).save();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }
}

package dev.portoser.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Garbled, truncated and planted state files, and a state file system that is full. */
class FileStateStoreTest {
    @TempDir
    Path dir;

    private final Service api = Registry.parse("""
            machines:
              here: {host: localhost, user: u, platform: linux}
            services:
              api: {type: local, path: /srv/api, machine: here, port: 8080, command: "exec true"}
            """).service("api").orElseThrow();

    private DeploymentRecord record(String id, Instant time) {
        return new DeploymentRecord(id, time, "run-1", "api", "here", "DEPLOY", "SUCCEEDED", Duration.ofSeconds(1), api,
                "fp", 8080, true, "ctl-1", "started");
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    @Test
    void aTruncatedHistoryFileIsMovedAsideReportedOnceAndTheRestIsRead() throws Exception {
        FileStateStore store = new FileStateStore(dir);
        store.record(record("aaa", Instant.parse("2026-12-01T10:00:00Z")));
        store.record(record("bbb", Instant.parse("2026-12-01T11:00:00Z")));
        Path second = files(dir.resolve("history/api")).get(1);
        byte[] bytes = Files.readAllBytes(second);
        Files.write(second, java.util.Arrays.copyOf(bytes, bytes.length / 2));

        assertThat(store.history("api")).extracting(DeploymentRecord::id).containsExactly("aaa");
        List<String> warnings = store.drainWarnings();
        assertThat(warnings).singleElement().asString().startsWith("cannot read " + second)
                .contains("moved it aside to " + second.getFileName() + ".corrupt-").doesNotContain("Exception");
        assertThat(files(dir.resolve("history/api"))).hasSize(2)
                .anyMatch(p -> p.getFileName().toString().startsWith(second.getFileName() + ".corrupt-"));
        assertThat(store.history("api")).extracting(DeploymentRecord::id).containsExactly("aaa");
        assertThat(store.drainWarnings()).as("reported once").isEmpty();
        assertThat(store.lastHealthy("api", "here")).map(DeploymentRecord::id).hasValue("aaa");
    }

    @Test
    void theHistoryTellsWhereAServiceRunsNow() {
        FileStateStore store = new FileStateStore(dir);
        assertThat(store.machinesRunning("api")).isEmpty();
        Instant t = Instant.parse("2026-12-01T10:00:00Z");
        store.record(record("a1", t));                                           // deployed on here
        store.record(at(record("a2", t.plusSeconds(1)), "there", "MIGRATE", "SUCCEEDED"));
        assertThat(store.machinesRunning("api")).containsExactly("here", "there");
        store.record(at(record("a3", t.plusSeconds(2)), "here", "STOP", "SUCCEEDED"));
        assertThat(store.machinesRunning("api")).containsExactly("there");
        store.record(at(record("a4", t.plusSeconds(3)), "there", "DEPLOY", "FAILED"));
        store.record(at(record("a5", t.plusSeconds(4)), "here", "DEPLOY", "INTERRUPTED"));
        assertThat(store.machinesRunning("api")).as("failures say nothing either way").containsExactly("there");
    }

    private static DeploymentRecord at(DeploymentRecord r, String machine, String action, String outcome) {
        return new DeploymentRecord(r.id(), r.time(), r.runId(), r.service(), machine, action, outcome, r.duration(),
                r.config(), r.configFingerprint(), r.port(), r.healthy(), r.controller(), r.detail());
    }

    @Test
    void garbageAndEmptyJournalFilesDoNotStopTheNextRun() throws Exception {
        FileStateStore store = new FileStateStore(dir);
        store.begin(new JournalEntry("run-1", "deploy:api@here", "api", "here", "DEPLOY", Instant.now(), "ctl", 1));
        Files.write(dir.resolve("journal/run-0--garbage.json"), new byte[] {0, (byte) 0xff, '{', '"'});
        Files.writeString(dir.resolve("journal/run-0--empty.json"), "");
        Files.writeString(dir.resolve("journal/run-0--null.json"), "{\"schemaVersion\": 1}");
        assertThat(store.inFlight()).extracting(JournalEntry::runId).containsExactly("run-1");
        assertThat(store.drainWarnings()).hasSize(3);
        assertThat(files(dir.resolve("journal"))).filteredOn(p -> p.toString().contains(".corrupt-")).hasSize(3);
    }

    @Test
    void aRecordOfANewerVersionIsSkippedButNeverMovedAside() throws Exception {
        FileStateStore store = new FileStateStore(dir);
        store.record(record("aaa", Instant.parse("2026-12-01T10:00:00Z")));
        Path file = files(dir.resolve("history/api")).get(0);
        Files.writeString(file, Files.readString(file).replace("\"schemaVersion\" : 1", "\"schemaVersion\" : 7"));
        assertThat(store.history("api")).isEmpty();
        assertThat(store.drainWarnings()).singleElement().asString().contains("newer Portoser (schemaVersion 7");
        assertThat(file).exists();
    }

    @Test
    void aPlantedSymlinkInTheStateDirectoryIsNeverWrittenThrough() throws Exception {
        Path victim = Files.createDirectories(dir.resolve("victim"));
        Path state = Files.createDirectories(dir.resolve("state"));
        Files.createDirectories(state.resolve("history"));
        Files.createSymbolicLink(state.resolve("history/api"), victim);
        Files.createSymbolicLink(state.resolve("journal"), victim);
        FileStateStore store = new FileStateStore(state);
        assertThatThrownBy(() -> store.record(record("aaa", Instant.now())))
                .hasMessageContaining(state.resolve("history/api") + " is a symbolic link");
        assertThatThrownBy(() -> store.begin(new JournalEntry("r", "s", "api", "here", "DEPLOY", Instant.now(), "c", 1)))
                .hasMessageContaining("is a symbolic link");
        assertThat(files(victim)).isEmpty();
    }

    @Test
    void aFullStateFileSystemRefusesARunAndAWriteThatFailsSaysSoInWords() throws Exception {
        assumeThat(new com.sun.security.auth.module.UnixSystem().getUid()).as("mounting a tmpfs needs root")
                .isZero();
        Path mount = Files.createDirectories(dir.resolve("tiny"));
        assertThat(new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount.toString())
                .inheritIO().start().waitFor()).isZero();
        try {
            FileStateStore store = new FileStateStore(mount.resolve("state"));
            assertThatThrownBy(store::checkSpace).hasMessageStartingWith("the state directory " + mount
                    + "/state has only ").hasMessageContaining("KiB free");
            Process fill = new ProcessBuilder("dd", "if=/dev/zero", "of=" + mount.resolve("fill"), "bs=64k")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(fill.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> store.record(record("aaa", Instant.now())))
                    .hasMessageEndingWith(": no space left on device").hasMessageNotContaining("Exception");
            assertThat(store.history("api")).isEmpty();
            try (Stream<Path> left = Files.walk(mount.resolve("state"))) {
                assertThat(left.filter(Files::isRegularFile)).as("no half-written file").isEmpty();
            }
        } finally {
            new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor();
        }
    }
}

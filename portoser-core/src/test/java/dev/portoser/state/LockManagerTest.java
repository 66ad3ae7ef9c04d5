package dev.portoser.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portoser.registry.Registry;
import dev.portoser.transport.Command;
import dev.portoser.transport.LocalTransport;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Locks left behind by controllers that are gone, and lock records that are garbage. */
class LockManagerTest {
    @TempDir
    Path home;

    private Transport transport;
    private final LockManager mine = new LockManager("ctl-mine", Duration.ofMinutes(2));
    private Process other;

    @BeforeEach
    void open() {
        Registry registry = Registry.parse("""
                machines:
                  here: {host: localhost, user: u, platform: linux}
                services: {}
                """);
        transport = new LocalTransport(registry.machine("here").orElseThrow(), home);
    }

    @AfterEach
    void close() {
        mine.release(transport, "db"); // the JVM-wide record of what is held must not leak into the next test
        transport.close();
        if (other != null) {
            other.destroyForcibly();
        }
    }

    private Path owner(String record) throws Exception {
        Path dir = Files.createDirectories(home.resolve(".portoser/locks/db"));
        return Files.writeString(dir.resolve("owner"), record + "\n");
    }

    private static long future() {
        return Instant.now().plusSeconds(3600).getEpochSecond();
    }

    private static String host() throws Exception {
        return InetAddress.getLocalHost().getHostName();
    }

    private long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return p.pid();
    }

    @Test
    void aLockOfADeadProcessOnThisHostIsTakenOverAtOnceDespiteItsLease() throws Exception {
        owner(future() + " ctl-gone " + deadPid() + " " + host() + " 1");
        assertThat(mine.acquire(transport, "db", Duration.ZERO)).isEqualTo("took-over");
        assertThat(Files.readString(home.resolve(".portoser/locks/db/owner"))).contains(" ctl-mine ");
    }

    @Test
    void aLiveProcessWhoseStartTimeDiffersReusedThePidAndDoesNotHoldTheLock() throws Exception {
        other = new ProcessBuilder("sleep", "60").start();
        long started = other.info().startInstant().orElseThrow().toEpochMilli();
        owner(future() + " ctl-gone " + other.pid() + " " + host() + " " + (started - 3_600_000));
        assertThat(mine.acquire(transport, "db", Duration.ZERO)).isEqualTo("took-over");
    }

    @Test
    void aLiveOwnerOnThisHostKeepsItsLease() throws Exception {
        other = new ProcessBuilder("sleep", "60").start();
        long started = other.info().startInstant().orElseThrow().toEpochMilli();
        owner(future() + " ctl-alive " + other.pid() + " " + host() + " " + started);
        assertThatThrownBy(() -> mine.acquire(transport, "db", Duration.ZERO)).isInstanceOf(LockedException.class)
                .hasMessageStartingWith("service db on here is locked by another run: ctl-alive (PID " + other.pid()
                        + " on " + host() + ") until ");
    }

    @Test
    void anOwnerOnAnotherHostKeepsItsLeaseWhateverItsPid() throws Exception {
        owner(future() + " ctl-far " + deadPid() + " another-host 1");
        assertThatThrownBy(() -> mine.acquire(transport, "db", Duration.ZERO)).isInstanceOf(LockedException.class)
                .hasMessageContaining("ctl-far (PID ");
    }

    @Test
    void aGarbageRecordIsHeldWhileFreshAndTakenOverOnceOlderThanTheLease() throws Exception {
        Path record = owner("\u0000\u0007garbage{{");
        assertThatThrownBy(() -> mine.acquire(transport, "db", Duration.ZERO)).isInstanceOf(LockedException.class)
                .hasMessageEndingWith("an unreadable lock record (taken over once it is older than the lease)");
        Files.setLastModifiedTime(record, FileTime.from(Instant.now().minus(Duration.ofHours(3))));
        assertThat(mine.acquire(transport, "db", Duration.ZERO)).isEqualTo("took-over");
    }

    @Test
    void anEmptyRecordOfACrashedWriterIsTakenOverOnceOld() throws Exception {
        Path record = owner("");
        Files.setLastModifiedTime(record, FileTime.from(Instant.now().minus(Duration.ofHours(3))));
        assertThat(mine.acquire(transport, "db", Duration.ZERO)).isEqualTo("took-over");
    }

    @Test
    void aSymlinkedLockDirectoryIsRefusedAndItsTargetLeftAlone() throws Exception {
        Path victim = Files.createDirectories(home.resolve("victim"));
        Files.createDirectories(home.resolve(".portoser/locks"));
        Files.createSymbolicLink(home.resolve(".portoser/locks/db"), victim);
        assertThatThrownBy(() -> mine.acquire(transport, "db", Duration.ZERO)).isInstanceOf(TransportException.class)
                .hasMessageContaining("is a symbolic link");
        try (var files = Files.list(victim)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void ourRecordCarriesOurStartTimeSoAReusedPidIsTold() throws Exception {
        mine.acquire(transport, "db", Duration.ZERO);
        String[] f = Files.readString(home.resolve(".portoser/locks/db/owner")).strip().split(" ");
        assertThat(f).hasSize(5);
        assertThat(Long.parseLong(f[2])).isEqualTo(ProcessHandle.current().pid());
        assertThat(f[4]).isEqualTo(String.valueOf(
                ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli()));
    }

    @Test
    void aRecordOfOursLeftByAReleaseThatNeverArrivedIsTakenOverButOneWeHoldIsNot() throws Exception {
        long started = ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli();
        owner(future() + " ctl-mine " + ProcessHandle.current().pid() + " " + host() + " " + started);
        assertThat(mine.acquire(transport, "db", Duration.ZERO)).as("left over").isEqualTo("took-over");
        assertThatThrownBy(() -> mine.acquire(transport, "db", Duration.ZERO)).as("held now")
                .isInstanceOf(LockedException.class).hasMessageContaining("ctl-mine (PID ");
        mine.release(transport, "db");
        assertThat(mine.acquire(transport, "db", Duration.ZERO)).isEqualTo("acquired");
    }

    @Test
    void aFreeLockIsTakenWithTheCommandItGuardsInOneRoundTripAndTheCommandSeesItsOwnInputAndOutput() {
        Command cat = Command.script("printf 'got:'; cat; echo \" $1\"", "arg one").stdin("the input".getBytes(
                java.nio.charset.StandardCharsets.UTF_8));
        java.util.List<String> lines = new java.util.ArrayList<>();
        var taken = mine.acquireAndRun(transport, "db", cat.output((stream, line) -> lines.add(line)),
                java.util.List.of());
        assertThat(taken).isPresent();
        assertThat(taken.get().tookOver()).isFalse();
        assertThat(taken.get().result().stdout()).isEqualTo("got:the input arg one\n");
        assertThat(lines).containsExactly("got:the input arg one"); // the lock's own answer is not the command's
        assertThat(home.resolve(".portoser/locks/db/owner")).content().contains(" ctl-mine ");
    }

    @Test
    void aHeldLockRunsNothingAndSaysSoSoThatTheCallerCanWaitTheLongWay() throws Exception {
        owner(future() + " ctl-other 1 elsewhere -");
        var taken = mine.acquireAndRun(transport, "db", Command.script("touch \"$HOME/ran\""), java.util.List.of());
        assertThat(taken).isEmpty();
        assertThat(home.resolve("ran")).doesNotExist();
        assertThat(home.resolve(".portoser/locks/db/owner")).content().contains(" ctl-other ");
    }

    @Test
    void locksThisControllerIsDoneWithAreReleasedInTheSameRoundTripAndOnlyItsOwn() throws Exception {
        assertThat(mine.acquire(transport, "api", Duration.ZERO)).isEqualTo("acquired");
        Path web = Files.createDirectories(home.resolve(".portoser/locks/web"));
        Files.writeString(web.resolve("owner"), future() + " ctl-other 1 elsewhere -\n");
        var taken = mine.acquireAndRun(transport, "db", Command.script("true"), java.util.List.of("api", "web"));
        assertThat(taken).isPresent();
        assertThat(home.resolve(".portoser/locks/api")).doesNotExist();
        assertThat(web.resolve("owner")).exists(); // another controller's lock is never released
        assertThat(new LockManager("ctl-third", Duration.ofMinutes(1)).acquire(transport, "api", Duration.ZERO))
                .isEqualTo("acquired");
        new LockManager("ctl-third", Duration.ofMinutes(1)).release(transport, "api");
    }
}

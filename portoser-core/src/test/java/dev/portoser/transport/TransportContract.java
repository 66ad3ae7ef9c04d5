package dev.portoser.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Transport} must do. The local transport, the SSH transport against an in-process server and
 * against real OpenSSH all extend this class, so none can drift from the others.
 */
public abstract class TransportContract {
    /** Arguments that a shell would mangle if anything along the way were not quoted. */
    protected static final List<String> HOSTILE = List.of("plain", "two words", "$(id)", "`id`", "$HOME", "'",
            "\"", "\\", "*", "~", "a;b", "a|b", "a&b", "line\nbreak", "tab\there", "é ☃ 日本", "-n", "", "%s",
            "{a,b}", "!x", "#comment", ">out");

    protected Transport transport;
    protected String scratch;

    /** A transport to the machine under test. */
    protected abstract Transport open() throws Exception;

    /** An empty directory on that machine, absolute, for file tests. */
    protected abstract String scratchDirectory(Transport transport) throws Exception;

    @BeforeEach
    void openTransport() throws Exception {
        transport = open();
        scratch = scratchDirectory(transport);
    }

    @AfterEach
    void closeTransport() {
        if (transport != null) {
            transport.close();
        }
    }

    @Test
    void argumentsArriveExactlyAsGiven() {
        List<String> argv = new ArrayList<>(List.of("printf", "%s\\0"));
        argv.addAll(HOSTILE);
        CommandResult r = transport.exec(Command.of(argv));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout().split("\0", -1)).containsExactlyElementsOf(withEmptyTail(HOSTILE));
    }

    @Test
    void aScriptGetsItsValuesAsPositionalArguments() {
        CommandResult r = transport.exec(Command.script("printf '%s\\0' \"$@\"", HOSTILE.toArray(String[]::new)));
        assertThat(r.stdout().split("\0", -1)).containsExactlyElementsOf(withEmptyTail(HOSTILE));
    }

    private static List<String> withEmptyTail(List<String> words) {
        List<String> expected = new ArrayList<>(words);
        expected.add("");
        return expected;
    }

    @Test
    void aNonZeroExitIsDataNotAnException() {
        CommandResult r = transport.exec(Command.script("echo out; echo err >&2; exit 3"));
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.succeeded()).isFalse();
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).isEqualTo("err\n");
        assertThat(r.exitSignal()).isNull();
    }

    @Test
    void aMissingProgramIsExitStatus127() {
        CommandResult r = transport.exec(Command.of("portoser-no-such-program-xyz"));
        assertThat(r.exitCode()).isEqualTo(127);
    }

    @Test
    void aCommandKilledByASignalReportsIt() {
        CommandResult r = transport.exec(Command.script("kill -KILL $$"));
        assertThat(r.exitCode()).isEqualTo(137);
        assertThat(r.succeeded()).isFalse();
        assertThat(r.exitSignal()).isIn(null, "KILL");
    }

    @Test
    void standardInputReachesTheCommandAndIsClosed() {
        String text = "line one\nsecond = line \"quoted\" é\n" + "x".repeat(200_000);
        CommandResult r = transport.exec(Command.of("cat").stdin(text.getBytes(StandardCharsets.UTF_8)));
        assertThat(r.stdout()).isEqualTo(text);
    }

    @Test
    void withoutStandardInputACommandThatReadsItEndsAtOnce() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                assertThat(transport.exec(Command.of("cat").timeout(Duration.ofSeconds(20))).stdout()).isEmpty());
    }

    @Test
    void theWorkingDirectoryIsUsed() {
        assertThat(transport.exec(Command.of("pwd").workingDirectory(scratch)).stdout().strip()).isEqualTo(scratch);
    }

    @Test
    void aCommandThatOutlivesItsTimeoutIsKilledAndReported() {
        String marker = scratch + "/still-running";
        assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                assertThatThrownBy(() -> transport.exec(Command.script("sleep 2; sleep 2; touch \"$1\"", marker)
                        .timeout(Duration.ofMillis(1500))))
                        .isInstanceOf(TransportTimeoutException.class)
                        .hasMessageContaining("ran longer than PT1.5S"));
        CommandResult later = transport.exec(Command.script("sleep 4; test -e \"$1\"", marker)
                .timeout(Duration.ofSeconds(20)));
        assertThat(later.exitCode()).as("the timed-out command and its children were killed").isEqualTo(1);
    }

    @Test
    void largeOutputOnBothStreamsDoesNotHang() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            CommandResult r = transport.exec(Command.script(
                    "head -c 3000000 /dev/zero | tr '\\0' a & head -c 3000000 /dev/zero | tr '\\0' b >&2; wait")
                    .timeout(Duration.ofSeconds(50)));
            assertThat(r.stdout()).hasSize(3_000_000).matches("a+");
            assertThat(r.stderr()).hasSize(3_000_000).matches("b+");
        });
    }

    @Test
    void outputLinesReachTheListenerInOrder() {
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        transport.exec(Command.script("echo one; echo two >&2; echo three; printf 'no newline'")
                .output((stream, line) -> lines.add(stream + ":" + line)));
        assertThat(lines.stream().filter(l -> l.startsWith("STDOUT")).toList())
                .containsExactly("STDOUT:one", "STDOUT:three", "STDOUT:no newline");
        assertThat(lines).contains("STDERR:two");
    }

    @Test
    void anUploadIsReadBackWithItsMode() {
        byte[] content = "KEY=value with spaces\nQUOTE='x'\n\u00e9\n".getBytes(StandardCharsets.UTF_8);
        transport.upload(content, scratch + "/service.env", 0600);
        assertThat(transport.read(scratch + "/service.env")).isEqualTo(content);
        assertThat(transport.exec(Command.of("stat", "-c", "%a", scratch + "/service.env")).stdout().strip())
                .isEqualTo("600");
        transport.upload(new byte[] {1, 2, 3}, scratch + "/public", 0644);
        assertThat(transport.exec(Command.of("stat", "-c", "%a", scratch + "/public")).stdout().strip())
                .isEqualTo("644");
    }

    @Test
    void anUploadReplacesTheOldFileAndLeavesNoTemporaryFile() {
        transport.upload("old".getBytes(StandardCharsets.UTF_8), scratch + "/f", 0600);
        transport.upload("new".getBytes(StandardCharsets.UTF_8), scratch + "/f", 0640);
        assertThat(new String(transport.read(scratch + "/f"), StandardCharsets.UTF_8)).isEqualTo("new");
        assertThat(transport.exec(Command.of("ls", "-A", scratch)).stdout().strip()).isEqualTo("f");
    }

    @Test
    void aStreamIsUploadedWithoutBeingBufferedWhole() {
        int size = 5 * 1024 * 1024 + 7;
        java.io.InputStream generated = new java.io.InputStream() {
            private int left = size;

            @Override
            public int read() {
                return left-- > 0 ? 'a' + left % 26 : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = Math.min(len, left);
                for (int i = 0; i < n; i++) {
                    b[off + i] = (byte) ('a' + (left - 1 - i) % 26);
                }
                left -= n;
                return n;
            }
        };
        transport.upload(generated, scratch + "/big.bin", 0640);
        CommandResult sum = transport.exec(Command.of("wc", "-c", scratch + "/big.bin"));
        assertThat(sum.stdout().strip()).startsWith(size + " ");
        assertThat(transport.exec(Command.of("stat", "-c", "%a", scratch + "/big.bin")).stdout().strip())
                .isEqualTo("640");
        assertThat(transport.exec(Command.of("head", "-c", "3", scratch + "/big.bin")).stdout())
                .isEqualTo(new String(new char[] {(char) ('a' + (size - 1) % 26), (char) ('a' + (size - 2) % 26),
                        (char) ('a' + (size - 3) % 26)}));
    }

    @Test
    void anUploadIntoAMissingDirectoryFails() {
        assertThatThrownBy(() -> transport.upload(new byte[1], scratch + "/no/such/dir/f", 0600))
                .isInstanceOf(TransportException.class).hasMessageContaining(transport.machine().name());
    }

    @Test
    void readingAMissingFileSaysSo() {
        assertThatThrownBy(() -> transport.read(scratch + "/nothing-here"))
                .isInstanceOf(NoSuchRemoteFileException.class).hasMessageContaining("nothing-here");
    }

    @Test
    void concurrentCommandsGetTheirOwnResults() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String token = "token-" + i + "-" + "x".repeat(i * 100);
                results.add(pool.submit(() -> {
                    for (int round = 0; round < 5; round++) {
                        CommandResult r = transport.exec(Command.script("printf '%s' \"$1\"; printf '%s' \"$1\" >&2",
                                token));
                        if (!r.stdout().equals(token) || !r.stderr().equals(token)) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theMachineIsReachable() {
        assertThat(transport.isReachable(Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void closingTwiceIsFineAndAClosedTransportRefusesWork() {
        transport.close();
        transport.close();
        assertThatThrownBy(() -> transport.exec(Command.of("true"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed");
    }
}

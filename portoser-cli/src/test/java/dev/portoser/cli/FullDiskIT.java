package dev.portoser.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state directory on a tiny tmpfs: full before a deploy (refused, nothing started), and filled during one (the
 * service runs, the outcome says what was not recorded, exit code 4). Needs root to mount.
 */
class FullDiskIT {
    @TempDir
    Path dir;

    private Path state;
    private Path home;
    private Map<String, String> sandbox;
    private int port;

    @BeforeEach
    void mount() throws Exception {
        assumeThat(new com.sun.security.auth.module.UnixSystem().getUid()).as("mounting a tmpfs needs root").isZero();
        state = Files.createDirectories(dir.resolve("state"));
        home = Files.createDirectories(dir.resolve("home"));
        Files.createDirectories(dir.resolve("site"));
        assertThat(new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", state.toString()).inheritIO()
                .start().waitFor()).isZero();
        sandbox = Map.of("JAVA_TOOL_OPTIONS", "-Duser.home=" + home);
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
    }

    @AfterEach
    void unmount() throws Exception {
        if (state == null) {
            return;
        }
        CliProcess.killLeftovers(dir, home);
        new ProcessBuilder("umount", "-l", state.toString()).inheritIO().start().waitFor();
    }

    private void registry(String command) throws Exception {
        Files.writeString(dir.resolve("registry.yml"), """
                machines:
                  here: {host: localhost, user: u, platform: linux}
                services:
                  web: {type: local, path: %s/site, machine: here, port: %d, health: {type: http},
                        command: "%s"}
                """.formatted(dir, port, command));
    }

    private void fill() throws Exception {
        Process dd = new ProcessBuilder("dd", "if=/dev/zero", "of=" + state.resolve("fill"), "bs=64k")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(dd.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    /** The JVM's own line about JAVA_TOOL_OPTIONS, which the sandbox sets, is not ours. */
    private static String withoutJvmNotice(String stderr) {
        return stderr.replaceAll("(?m)^Picked up JAVA_TOOL_OPTIONS:.*\\R", "").strip();
    }

    @Test
    void aDeployOnAFullStateFileSystemIsRefusedBeforeAnythingStarts() throws Exception {
        registry("exec python3 -m http.server $PORT --bind 127.0.0.1");
        fill();
        CliProcess.Result r = CliProcess.run(dir, sandbox, "deploy", "web", "--state-dir", state.toString());
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(ExitCodes.FAILED);
        assertThat(withoutJvmNotice(r.stderr())).startsWith("portoser: the state directory " + state + " has only ")
                .contains("KiB free").doesNotContain("Exception").hasLineCount(1);
        assertThat(home.resolve(".portoser/run/web.pid")).doesNotExist();
    }

    @Test
    void aDiskThatFillsDuringTheDeploySaysTheServiceRunsAndWhatWasNotRecorded() throws Exception {
        // The service itself fills the state file system as it starts: the run's own writes then fail.
        registry("dd if=/dev/zero of=" + state + "/fill bs=64k 2>/dev/null; "
                + "exec python3 -m http.server $PORT --bind 127.0.0.1");
        CliProcess.Result r = CliProcess.run(dir, sandbox, "deploy", "web", "--state-dir", state.toString());
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(ExitCodes.NOT_RECORDED);
        assertThat(r.stdout()).contains("SUCCEEDED       DEPLOY   web");
        assertThat(r.stderr()).contains("portoser: warning: history not recorded for web (succeeded on here)")
                .contains("no space left on device").doesNotContain("Exception");
        CliProcess.Result status = CliProcess.run(dir, sandbox, "status", "web");
        assertThat(status.stdout()).as(status.stderr()).contains("running");

        CliProcess.Result stop = CliProcess.run(dir, sandbox, "stop", "web", "--state-dir", state.toString());
        assertThat(stop.exitCode()).as("stopped, but not recorded: " + stop.stdout() + stop.stderr())
                .isEqualTo(ExitCodes.NOT_RECORDED);
        assertThat(stop.stdout()).contains("SUCCEEDED");
        CliProcess.Result after = CliProcess.run(dir, sandbox, "status", "web");
        assertThat(after.stdout()).contains("stopped");
    }
}

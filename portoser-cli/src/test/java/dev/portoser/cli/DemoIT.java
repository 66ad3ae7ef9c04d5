package dev.portoser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code portoser demo}, end to end, as a user runs it: healthy, then nothing left behind. */
class DemoIT {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"python", "java"})
    void theDemoDeploysFourHealthyServicesAndLeavesNothingBehind(String server) throws Exception {
        CliProcess.Result r = CliProcess.run(dir, Map.of(), "demo", "--server", server);
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).contains("Plan: deploy group demo — 4 steps in 3 waves")
                .contains("done: 4 of 4 steps succeeded")
                .contains("Demo done: every service was healthy, and everything is stopped and removed.");
        for (String service : List.of("store", "cache", "api", "web")) {
            assertThat(r.stdout()).containsPattern("(?m)^" + service + " +this-machine +\\d+ +healthy ");
        }
        Matcher m = Pattern.compile("in (/\\S+portoser-demo-\\d+)").matcher(r.stdout());
        assertThat(m.find()).isTrue();
        assertThat(Path.of(m.group(1))).doesNotExist();
        Matcher ports = Pattern.compile("(?m)^\\w+ +this-machine +(\\d+) +healthy").matcher(r.stdout());
        int checked = 0;
        while (ports.find()) {
            int port = Integer.parseInt(ports.group(1));
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
                throw new AssertionError("port " + port + " of the demo still answers after the tear-down");
            } catch (java.io.IOException expected) {
                checked++;
            }
        }
        assertThat(checked).as("every service's port was checked").isEqualTo(4);
    }
}

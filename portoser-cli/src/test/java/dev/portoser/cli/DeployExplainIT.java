package dev.portoser.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portoser deploy --dry-run --explain} against the real systemd test host ({@code testbed/systemd-host.sh},
 * run under {@code flock /tmp/portoser-testbed.lock}): the whole unit it would install, the env file masked, and
 * nothing installed; on this machine, whose PID 1 is not systemd, one line naming systemd.
 */
class DeployExplainIT {
    static final Path SCRIPT = Path.of("..", "testbed", "systemd-host.sh").toAbsolutePath().normalize();
    static final Path HOST = Path.of(System.getProperty("java.io.tmpdir"), "portoser-systemd-it");

    @TempDir
    Path dir;

    @BeforeAll
    static void up() throws Exception {
        run(SCRIPT.toString(), "up", HOST.toString());
    }

    @AfterAll
    static void down() throws Exception {
        run(SCRIPT.toString(), "down", HOST.toString());
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    static String onHost(String script) throws Exception {
        return run("ssh", "-F", "/dev/null", "-i", HOST.resolve("id_ed25519").toString(), "-o", "BatchMode=yes",
                "-o", "UserKnownHostsFile=" + HOST.resolve("known_hosts"), "root@10.200.0.134", script);
    }

    @Test
    void aDryRunExplainsTheWholeUnitWithSecretsMaskedAndInstallsNothing() throws Exception {
        onHost("mkdir -p /srv/api");
        Files.writeString(dir.resolve("registry.yml"), """
                machines:
                  sd: {host: 10.200.0.134, user: root, platform: linux, ssh_key: %s}
                  here: {host: localhost, user: u, platform: linux}
                services:
                  api:
                    type: native
                    path: /srv/api
                    machine: sd
                    command: python3 -m http.server 8080
                    port: 8080
                    env: {MODE: prod}
                    vault_secrets: [{path: secret/data/api, keys: [api_token]}]
                  local-native: {type: native, path: /tmp, machine: here, command: /bin/sleep 1000}
                """.formatted(HOST.resolve("id_ed25519")));
        CliProcess.Result r = CliProcess.run(dir, Map.of(), "deploy", "api", "local-native", "--dry-run", "--explain",
                "--known-hosts", HOST.resolve("known_hosts").toString(), "--registry", dir.resolve("registry.yml").toString());

        assertThat(r.stdout()).contains("== api on sd (native)\nservice manager: systemd ")
                .contains("(system unit)\nwould install and start portoser-api.service\n")
                .contains("--- /etc/systemd/system/portoser-api.service\n")
                .contains("[Unit]\nDescription=Portoser service api\n")
                .contains("ExecStart=/usr/bin/python3 -m http.server 8080\n")
                .contains("--- /root/.portoser/env/api.env (0600)\n")
                .contains("PORT=\"8080\"\nMODE=\"prod\"\nAPI_TOKEN=\"********\"\n")
                .contains("== local-native on here (native)\ncannot explain: cannot install native services on here: "
                        + "its PID 1 is '");
        assertThat(r.stdout().lines().filter(l -> l.startsWith("cannot explain:")).toList()).hasSize(1)
                .allSatisfy(l -> assertThat(l).endsWith("not systemd, and native services on Linux need systemd as "
                        + "the service manager"));
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        assertThat(onHost("ls /etc/systemd/system/portoser-api.service /root/.portoser/env/api.env 2>&1; true"))
                .contains("No such file").doesNotContain("\n/etc");
        assertThat(List.of(r.stdout(), r.stderr())).noneMatch(s -> s.contains("Exception"));
    }
}

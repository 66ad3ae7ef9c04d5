package dev.portoser.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.exec.Executor;
import dev.portoser.exec.JsonLinesEvents;
import dev.portoser.exec.RunResult;
import dev.portoser.plan.Planner;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.secret.MapSecretProvider;
import dev.portoser.state.FileStateStore;
import dev.portoser.transport.Command;
import dev.portoser.transport.Transport;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secret deployed to a real host appears only in the service's 0600 env file and its process environment:
 * never in any process's argv, the logs, the events, the history, the run result or the plan.
 */
@ExtendWith(TestBed.class)
class SecretCanaryIT {
    @TempDir
    Path stateDir;

    @Test
    void theCanaryIsOnlyInTheEnvFileAndTheProcessEnvironment() throws Exception {
        TestBed bed = TestBed.get();
        String canary = "canary-" + UUID.randomUUID();
        Machine h1 = bed.machine(1);
        Registry registry = Registry.parse("""
                machines:
                  h1: {host: %s, user: root, platform: linux, ssh_key: %s}
                services:
                  vaulted:
                    type: local
                    path: /root
                    machine: h1
                    command: "echo starting with $$; exec python3 -m http.server $PORT"
                    port: 8201
                    health: {type: http}
                    vault_secrets: [{path: secret/data/vaulted, keys: [api_token]}]
                """.formatted(h1.host(), h1.sshKey()));
        StringWriter events = new StringWriter();
        try (SshTransportFactory ssh = SshTransportFactory.builder().knownHosts(bed.knownHosts()).build();
             Executor executor = Executor.builder().transports(ssh).state(new FileStateStore(stateDir))
                     .secrets(new MapSecretProvider(Map.of("secret/data/vaulted", Map.of("api_token", canary))))
                     .listener(new JsonLinesEvents(events)).build();
             Transport host = ssh.open(h1)) {
            var plan = Planner.of(registry).deploy("vaulted");
            RunResult result = executor.run(registry, plan);
            assertThat(result.succeeded()).as(result.render()).isTrue();
            String pid = host.exec(Command.of("cat", "/root/.portoser/run/vaulted.pid")).stdout().strip();
            String inEnvironment = host.exec(Command.script(
                    "for p in $(pgrep -g \"$1\"); do tr '\\0' '\\n' < /proc/$p/environ; done", pid)).stdout();
            assertThat(inEnvironment).contains("API_TOKEN=" + canary);
            assertThat(host.exec(Command.of("cat", "/root/.portoser/env/vaulted.env")).stdout())
                    .contains("API_TOKEN=" + canary);
            assertThat(host.exec(Command.of("stat", "-c", "%a", "/root/.portoser/env/vaulted.env")).stdout().strip())
                    .isEqualTo("600");
            // Everywhere else: argv of every process, every log on the host, events, history, result, plan.
            assertThat(host.exec(Command.of("ps", "-eo", "args")).stdout()).doesNotContain(canary);
            assertThat(host.exec(Command.script("cat /root/.portoser/logs/* 2>/dev/null; true")).stdout())
                    .contains("starting with").doesNotContain(canary);
            assertThat(events.toString()).contains("stepEnded").doesNotContain(canary);
            assertThat(result.render() + result).doesNotContain(canary);
            assertThat(plan.toJson() + plan.render()).doesNotContain(canary);
            try (Stream<Path> files = Files.walk(stateDir)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    assertThat(Files.readString(f)).as(f.toString()).doesNotContain(canary);
                }
            }
            host.exec(Command.script(dev.portoser.deploy.KillRecorded.SCRIPT, "vaulted"));
            host.exec(Command.of("rm", "-rf", "/root/.portoser"));
        }
    }
}

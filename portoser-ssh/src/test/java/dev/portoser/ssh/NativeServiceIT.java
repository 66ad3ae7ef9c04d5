package dev.portoser.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portoser.deploy.DeployContext;
import dev.portoser.deploy.DeployException;
import dev.portoser.deploy.DeployResult;
import dev.portoser.deploy.NativeServiceDeployer;
import dev.portoser.deploy.ServiceStatus;
import dev.portoser.health.HealthResult;
import dev.portoser.health.HealthTarget;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import dev.portoser.secret.Secret;
import dev.portoser.transport.Command;
import dev.portoser.transport.Transport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code type: native} on a real systemd (the nspawn test host), over SSH: {@code python3 -m http.server} as a unit
 * that is healthy over HTTP, restarted by systemd when killed, restarted, stopped and removed through the API; a
 * user unit as a non-root login; a secret only in the 0600 env file and the process environment; and a machine
 * whose PID 1 is not systemd refused before anything is written.
 */
class NativeServiceIT {
    static final NativeServiceDeployer DEPLOYER = new NativeServiceDeployer();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static SystemdHost host;
    static Transport root;
    static Transport user;

    @BeforeAll
    static void startHost() throws Exception {
        host = SystemdHost.get();
        root = host.ssh.open(host.root);
        user = host.ssh.open(host.user);
        SystemdHost.sh(root, "mkdir -p /srv/site && echo 'hello from systemd' > /srv/site/index.html");
        SystemdHost.sh(user, "mkdir -p ~/site && echo 'hello from a user unit' > ~/site/index.html");
    }

    @AfterAll
    static void close() {
        if (root != null) {
            root.close();
        }
        if (user != null) {
            user.close();
        }
    }

    @AfterEach
    void removeServices() {
        for (String name : List.of("web", "hostile", "vaulted")) {
            DEPLOYER.remove(context(host.root, root, name, "/srv/site", "python3 -m http.server 8301", Map.of()));
        }
        DEPLOYER.remove(context(host.user, user, "mine", "/home/deploy/site", "python3 -m http.server 8302", Map.of()));
    }

    static DeployContext context(Machine machine, Transport t, String name, String path, String command,
                                 Map<String, Secret> secrets) {
        Registry registry = Registry.parse("""
                machines:
                  %s
                services:
                  %s:
                    type: native
                    path: %s
                    machine: %s
                    command: %s
                    description: %s served by systemd
                """.formatted(SystemdHost.yaml(machine), name, path, machine.name(), json(command), name));
        Machine m = registry.machine(machine.name()).orElseThrow();
        return new DeployContext(registry.service(name).orElseThrow(), m, t, null, secrets, Duration.ofSeconds(60));
    }

    static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static String get(int port) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host.root.host() + ":"
                    + port + "/")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body().strip();
        } catch (Exception e) {
            return "no answer: " + e;
        }
    }

    /** Waits for a condition, up to a bound; returns the last value seen. */
    static <T> T await(Supplier<T> value, java.util.function.Predicate<T> done, Duration bound) {
        Instant end = Instant.now().plus(bound);
        T last = value.get();
        while (!done.test(last) && Instant.now().isBefore(end)) {
            try {
                Thread.sleep(100); // polling interval of a bounded wait, not a synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            last = value.get();
        }
        return last;
    }

    static HealthResult health(DeployContext c) {
        Service s = c.service();
        return DEPLOYER.healthChecks(s).get(0).check(new HealthTarget(s, c.machine(), null, c.transport()));
    }

    static String mainPid(Transport t, String unit, boolean userUnit) {
        return SystemdHost.sh(t, (userUnit ? "systemctl --user" : "systemctl") + " show -p MainPID --value \"$1\"", unit)
                .strip();
    }

    @Test
    void anHttpServerUnitIsHealthyOverHttpAndSystemdRestartsItWhenItsProcessIsKilled() {
        DeployContext c = context(host.root, root, "web", "/srv/site", "python3 -m http.server 8301", Map.of());

        DeployResult first = DEPLOYER.deploy(c);

        assertThat(first.change()).as(first.detail()).isEqualTo(DeployResult.Change.STARTED);
        assertThat(await(() -> get(8301), r -> r.startsWith("200"), Duration.ofSeconds(15)))
                .isEqualTo("200 hello from systemd");
        assertThat(health(c).isHealthy()).as(health(c).detail()).isTrue();
        String unit = SystemdHost.sh(root, "cat /etc/systemd/system/portoser-web.service");
        assertThat(unit).contains("ExecStart=/usr/bin/python3 -m http.server 8301").contains("Restart=on-failure");
        assertThat(SystemdHost.sh(root, "systemctl is-enabled portoser-web.service").strip()).isEqualTo("enabled");
        String pid = DEPLOYER.status(c).ids().get(0);
        assertThat(pid).isEqualTo(mainPid(root, "portoser-web.service", false));

        SystemdHost.sh(root, "kill -KILL \"$1\"", pid);

        ServiceStatus again = await(() -> DEPLOYER.status(c),
                s -> s.isRunning() && !s.ids().equals(List.of(pid)), Duration.ofSeconds(20));
        assertThat(again.isRunning()).as(again.detail()).isTrue();
        assertThat(again.ids()).doesNotContain(pid);
        assertThat(await(() -> get(8301), r -> r.startsWith("200"), Duration.ofSeconds(15))).startsWith("200");
        assertThat(SystemdHost.sh(root, "journalctl -u portoser-web.service --no-pager -o cat"))
                .contains("code=killed, status=9/KILL").contains("Scheduled restart job");
        assertThat(DEPLOYER.logs(c, 50)).contains("GET / HTTP/1.1");
        assertThat(DEPLOYER.deploy(c).change()).isEqualTo(DeployResult.Change.UNCHANGED);
    }

    @Test
    void restartStopStartAndRemoveGoThroughSystemd() {
        DeployContext c = context(host.root, root, "web", "/srv/site", "python3 -m http.server 8301", Map.of());
        DEPLOYER.deploy(c);
        String pid = DEPLOYER.status(c).ids().get(0);

        DEPLOYER.restart(c);
        ServiceStatus restarted = DEPLOYER.status(c);
        assertThat(restarted.isRunning()).isTrue();
        assertThat(restarted.ids()).isNotEqualTo(List.of(pid));

        DEPLOYER.stop(c);
        assertThat(DEPLOYER.status(c).state()).isEqualTo(ServiceStatus.State.STOPPED);
        assertThat(SystemdHost.sh(root, "systemctl is-active portoser-web.service || true").strip()).isEqualTo("inactive");
        HealthResult down = health(c);
        assertThat(down.isDown()).as(down.detail()).isTrue();
        assertThat(down.detail()).contains("inactive");
        DEPLOYER.stop(c);

        DEPLOYER.start(c);
        assertThat(DEPLOYER.status(c).isRunning()).isTrue();

        DEPLOYER.remove(c);
        assertThat(SystemdHost.sh(root, """
                for f in /etc/systemd/system/portoser-web.service /root/.portoser/env/web.env \
                  /etc/systemd/system/multi-user.target.wants/portoser-web.service; do [ -e "$f" ] && echo "$f"; done
                systemctl show -p LoadState --value portoser-web.service""").strip()).isEqualTo("not-found");
        assertThat(DEPLOYER.status(c).state()).isEqualTo(ServiceStatus.State.STOPPED);
        DEPLOYER.remove(c);
    }

    @Test
    void aNonRootLoginGetsAUserUnitWithLingerThatWorksOverSsh() {
        DeployContext c = context(host.user, user, "mine", "/home/deploy/site", "python3 -m http.server 8302", Map.of());

        DeployResult r = DEPLOYER.deploy(c);

        assertThat(r.change()).as(r.detail()).isEqualTo(DeployResult.Change.STARTED);
        assertThat(SystemdHost.sh(user, "test -f ~/.config/systemd/user/portoser-mine.service && echo yes").strip())
                .isEqualTo("yes");
        assertThat(SystemdHost.sh(root, "test -e /etc/systemd/system/portoser-mine.service && echo yes || echo no")
                .strip()).isEqualTo("no");
        assertThat(SystemdHost.sh(root, "loginctl show-user deploy -p Linger --value").strip()).isEqualTo("yes");
        String pid = DEPLOYER.status(c).ids().get(0);
        assertThat(SystemdHost.sh(root, "ps -o user= -p \"$1\"", pid).strip()).isEqualTo("deploy");
        assertThat(await(() -> get(8302), x -> x.startsWith("200"), Duration.ofSeconds(15)))
                .isEqualTo("200 hello from a user unit");
        assertThat(health(c).isHealthy()).as(health(c).detail()).isTrue();
        assertThat(DEPLOYER.deploy(c).change()).isEqualTo(DeployResult.Change.UNCHANGED);

        DEPLOYER.stop(c);
        assertThat(DEPLOYER.status(c).state()).isEqualTo(ServiceStatus.State.STOPPED);
        DEPLOYER.remove(c);
        assertThat(SystemdHost.sh(user, "test -e ~/.config/systemd/user/portoser-mine.service && echo yes || echo no")
                .strip()).isEqualTo("no");
    }

    @Test
    void aSecretIsOnlyInTheEnvFileAndTheProcessEnvironmentNeverInTheUnitArgvOrJournal() {
        String canary = "canary-" + UUID.randomUUID();
        DeployContext c = context(host.root, root, "vaulted", "/srv/site", "python3 -m http.server 8303",
                Map.of("API_TOKEN", new Secret(canary, null)));

        DEPLOYER.deploy(c);
        String pid = DEPLOYER.status(c).ids().get(0);
        get(8303);

        assertThat(SystemdHost.sh(root, "tr '\\0' '\\n' < /proc/$1/environ", pid)).contains("API_TOKEN=" + canary);
        assertThat(SystemdHost.sh(root, "stat -c %a /root/.portoser/env/vaulted.env").strip()).isEqualTo("600");
        assertThat(SystemdHost.sh(root, "cat /root/.portoser/env/vaulted.env")).contains(canary);
        assertThat(SystemdHost.sh(root, "cat /etc/systemd/system/portoser-vaulted.service")).doesNotContain(canary);
        assertThat(SystemdHost.sh(root, "ps -eo args")).doesNotContain(canary);
        assertThat(SystemdHost.sh(root, "journalctl --no-pager -o verbose")).doesNotContain(canary);
        assertThat(SystemdHost.sh(root, "systemctl show portoser-vaulted.service")).doesNotContain(canary);
        String explained = DEPLOYER.explain(c);
        assertThat(explained).contains("[Unit]").contains("API_TOKEN=\"********\"").doesNotContain(canary);
    }

    @Test
    void hostileArgumentsAndValuesReachTheProcessExactlyAsWritten() {
        String value = "a\"b\\c $HOME `id` 'q' 100% \n second line";
        DeployContext c = context(host.root, root, "hostile", "/srv/site",
                "python3 -m http.server 8304 --directory '%h $HOME \"x\"'", Map.of("ODD", new Secret(value, null)));
        SystemdHost.sh(root, "mkdir -p '/srv/site/%h $HOME \"x\"'");

        DEPLOYER.deploy(c);
        String pid = DEPLOYER.status(c).ids().get(0);

        assertThat(SystemdHost.sh(root, "tr '\\0' '\\n' < /proc/$1/cmdline", pid).lines().toList())
                .containsExactly("/usr/bin/python3", "-m", "http.server", "8304", "--directory", "%h $HOME \"x\"");
        String environ = SystemdHost.sh(root, "cat /proc/$1/environ", pid);
        assertThat(environ).contains("\0ODD=" + value + "\0");
    }

    @Test
    void aLinuxMachineWhosePid1IsNotSystemdIsRefusedBeforeAnythingIsWritten() throws Exception {
        TestBed bed = TestBed.get();
        Machine h1 = bed.machine(1);
        try (SshTransportFactory ssh = SshTransportFactory.builder().knownHosts(bed.knownHosts()).build();
             Transport t = ssh.open(h1)) {
            String pid1 = t.exec(Command.of("cat", "/proc/1/comm")).stdout().strip();
            DeployContext c = context(h1, t, "nosystemd", "/root", "python3 -m http.server 8305", Map.of());

            assertThatThrownBy(() -> DEPLOYER.deploy(c)).isInstanceOf(DeployException.class)
                    .hasMessage("cannot install native services on " + h1.name() + ": its PID 1 is '" + pid1
                            + "', not systemd, and native services on Linux need systemd as the service manager");
            assertThat(t.exec(Command.script("""
                    for f in /etc/systemd/system/portoser-nosystemd.service ~/.config/systemd/user/portoser-nosystemd.service \
                      ~/.portoser/env/nosystemd.env ~/.portoser/run/nosystemd.native; do [ -e "$f" ] && echo "$f"; done
                    true""")).stdout()).isEmpty();
        }
    }
}

package dev.portoser.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.secret.Secret;
import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.Transport;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands {@link NativeServiceDeployer} issues on macOS and BSD (which cannot run here), and its refusals, through
 * a transport that records every command and answers as the machine would.
 */
class NativeServiceDeployerTest {
    static final String CANARY = "canary-5ec7e7";

    @TempDir
    Path dir;

    /** Records commands; answers each with what {@code answer} says for its script. */
    static class RecordingTransport implements Transport {
        final Machine machine;
        final Function<Command, String> answer;
        final List<Command> commands = new ArrayList<>();

        RecordingTransport(Machine machine, Function<Command, String> answer) {
            this.machine = machine;
            this.answer = answer;
        }

        @Override
        public Machine machine() {
            return machine;
        }

        @Override
        public synchronized CommandResult exec(Command command) {
            commands.add(command);
            return new CommandResult(0, answer.apply(command), "", Duration.ofMillis(1), null);
        }

        @Override
        public void upload(InputStream content, String path, int mode) {
            throw new AssertionError("the deployer uploads nothing: file bytes go on standard input");
        }

        @Override
        public byte[] read(String path) {
            throw new AssertionError("the deployer reads no file");
        }

        @Override
        public boolean isReachable(Duration timeout) {
            return true;
        }

        @Override
        public void close() {
        }

        String stdin(int i) {
            return new String(commands.get(i).stdin(), StandardCharsets.UTF_8);
        }
    }

    static DeployContext context(String platform, String user, Transport t) {
        Registry r = Registry.parse("""
                machines:
                  mac: {host: 10.0.0.1, user: %s, platform: %s}
                services:
                  api:
                    type: native
                    path: /srv/api
                    machine: mac
                    command: python3 -m http.server 8080
                    env: {MODE: prod}
                """.formatted(user, platform));
        Machine m = r.machine("mac").orElseThrow();
        return new DeployContext(r.service("api").orElseThrow(), m, t, 8080, Map.of("API_TOKEN", new Secret(CANARY, "7")),
                Duration.ofSeconds(30));
    }

    static Function<Command, String> machineSays(String probe, String look, String install) {
        return c -> {
            if (NativeScripts.PROBE.equals(c.script())) {
                return probe;
            }
            String s = c.script();
            if (s != null && s.endsWith("true\n") && s.contains("exe $p")) {
                return look;
            }
            return install;
        };
    }

    @Test
    void onMacOsALaunchAgentIsBootstrappedAndKickstartedWithTheFilesOnStandardInput() {
        RecordingTransport t = new RecordingTransport(null, machineSays(
                "os Darwin\nuid 501\nlogin me\nhome /Users/me\n",
                "record \np loaded=no\nexe /usr/bin/python3\n",
                "p state=running\np pid=4242\np loaded=yes\n"));
        DeployContext c = context("darwin", "me", t);
        NativeServiceDeployer d = new NativeServiceDeployer();

        DeployResult r = d.deploy(c);

        assertThat(r.change()).as(r.detail()).isEqualTo(DeployResult.Change.STARTED);
        assertThat(r.detail()).contains("4242");
        assertThat(t.commands).hasSize(3);
        assertThat(t.commands.get(0).script()).isEqualTo(NativeScripts.PROBE);
        assertThat(t.commands.get(1).script()).isEqualTo(NativeScripts.LAUNCHD_LOOK);
        assertThat(t.commands.get(1).arguments()).containsExactly("dev.portoser.api", "/srv/api", "python3", "api");
        Command install = t.commands.get(2);
        assertThat(install.script()).isEqualTo(NativeScripts.LAUNCHD_INSTALL)
                .contains("launchctl bootout \"$domain/$label\"")
                .contains("launchctl bootstrap \"$domain\" \"$plist\"")
                .contains("launchctl kickstart -k \"$domain/$label\"")
                .contains("plutil -lint \"$t\"")
                .contains("dir=\"$HOME/Library/LaunchAgents\" domain=\"gui/$(id -u)\"")
                .contains("domain=\"user/$(id -u)\"")
                .contains("domain=system dir=/Library/LaunchDaemons");
        assertThat(install.arguments()).hasSize(4).startsWith("dev.portoser.api", "api");
        String boundary = install.arguments().get(2);
        String[] files = t.stdin(2).split(boundary + "\n", 2);
        assertThat(files[0]).isEqualTo(NativeUnits.launchd(c.service(),
                NativeUnits.Target.of("/usr/bin/python3", "/Users/me", false, 0)));
        assertThat(files[1]).contains("PORT=8080\n").contains("MODE=prod\n").contains("API_TOKEN=" + CANARY + "\n");
        assertNoSecretInArguments(t);

        t.commands.clear();
        d.stop(c);
        d.remove(c);
        assertThat(t.commands).extracting(Command::script)
                .containsExactly(NativeScripts.LAUNCHD_CONTROL, NativeScripts.LAUNCHD_REMOVE);
        assertThat(t.commands.get(0).arguments()).containsExactly("dev.portoser.api", "stop");
        assertThat(NativeScripts.LAUNCHD_CONTROL).contains("stop) launchctl bootout \"$domain/$label\"");
        assertThat(NativeScripts.LAUNCHD_REMOVE).contains("launchctl bootout \"$domain/$label\"")
                .contains("rm -f -- \"$dir/$label.plist\"");
    }

    @Test
    void onBsdAnRcdScriptIsEnabledWithSysrcAndStartedWithService() {
        RecordingTransport t = new RecordingTransport(null, machineSays(
                "os FreeBSD\nuid 0\nlogin root\nhome /root\n",
                "record \np installed=no\nexe /usr/local/bin/python3\n",
                "p installed=yes\np running=yes\np pid=777\n"));
        DeployContext c = context("bsd", "root", t);
        NativeServiceDeployer d = new NativeServiceDeployer();

        DeployResult r = d.deploy(c);

        assertThat(r.change()).isEqualTo(DeployResult.Change.STARTED);
        assertThat(t.commands).extracting(Command::script)
                .containsExactly(NativeScripts.PROBE, NativeScripts.RCD_LOOK, NativeScripts.RCD_INSTALL);
        assertThat(t.commands.get(1).arguments()).containsExactly("portoser_api", "/srv/api", "python3", "api");
        Command install = t.commands.get(2);
        assertThat(install.script()).contains("sh -n \"$t\"").contains("sysrc \"${rc}_enable=YES\"")
                .contains("service \"$rc\" start").contains("dir=/usr/local/etc/rc.d");
        String[] files = t.stdin(2).split(install.arguments().get(2) + "\n", 2);
        assertThat(files[0]).startsWith("#!/bin/sh\n").contains("command=/usr/sbin/daemon\n").contains("-r -R 1");
        assertThat(files[1]).contains("API_TOKEN=" + CANARY + "\n");
        assertNoSecretInArguments(t);
        assertThat(NativeScripts.RCD_REMOVE).contains("sysrc -x \"${rc}_enable\"").contains("service \"$rc\" stop");
        assertThat(NativeScripts.RCD_CONTROL).contains("restart) service \"$rc\" restart");
    }

    @Test
    void bsdNeedsARootLoginAndSaysSoBeforeWritingAnything() {
        RecordingTransport t = new RecordingTransport(null, machineSays("os FreeBSD\nuid 1001\nlogin me\nhome /home/me\n",
                "", ""));
        assertThatThrownBy(() -> new NativeServiceDeployer().deploy(context("bsd", "me", t)))
                .isInstanceOf(DeployException.class)
                .hasMessage("cannot install native services on mac as me: rc.d scripts need a root login (user: root)");
        assertThat(t.commands).hasSize(1);
    }

    @Test
    void aLinuxWhosePid1IsNotSystemdIsRefusedInOneLineAfterOnlyTheProbe() {
        RecordingTransport t = new RecordingTransport(null, machineSays(
                "os Linux\nuid 0\nlogin root\nhome /root\npid1 process_api\nsystemd systemd 252 (252.39-1)\n", "", ""));
        NativeServiceDeployer d = new NativeServiceDeployer();
        for (Runnable op : List.<Runnable>of(() -> d.deploy(context("linux", "root", t)),
                () -> d.explain(context("linux", "root", t)), () -> d.status(context("linux", "root", t)))) {
            assertThatThrownBy(op::run).isInstanceOf(DeployException.class)
                    .hasMessage("cannot install native services on mac: its PID 1 is 'process_api', not systemd, and "
                            + "native services on Linux need systemd as the service manager");
        }
        assertThat(t.commands).extracting(Command::script).containsOnly(NativeScripts.PROBE);
    }

    @Test
    void aMachineThatRunsAnotherSystemThanTheRegistrySaysIsRefused() {
        RecordingTransport t = new RecordingTransport(null, machineSays("os Darwin\nuid 0\nlogin root\nhome /var/root\n",
                "", ""));
        assertThatThrownBy(() -> new NativeServiceDeployer().deploy(context("linux", "root", t)))
                .isInstanceOf(DeployException.class)
                .hasMessage("the registry says mac is platform linux, but it runs Darwin; set platform: darwin");
    }

    @Test
    void aUnitThatFailsVerifyIsReportedWithSystemdsWordsAndNothingElseRuns() {
        List<Command> seen = new ArrayList<>();
        RecordingTransport t = new RecordingTransport(null, c -> "") {
            @Override
            public synchronized CommandResult exec(Command command) {
                seen.add(command);
                String out = NativeScripts.PROBE.equals(command.script())
                        ? "os Linux\nuid 0\nlogin root\nhome /root\npid1 systemd\nsystemd systemd 252 (252.39-1)\n"
                        : NativeScripts.SYSTEMD_LOOK.equals(command.script()) ? "record \np LoadState=not-found\n"
                        + "exe /usr/bin/python3\n"
                        : "portoser: invalid\n/etc/systemd/system/.portoser-api/portoser-api.service:9: Unknown key\n";
                return new CommandResult(NativeScripts.SYSTEMD_INSTALL.equals(command.script()) ? 4 : 0, out, "",
                        Duration.ofMillis(1), null);
            }
        };
        assertThatThrownBy(() -> new NativeServiceDeployer().deploy(context("linux", "root", t)))
                .isInstanceOf(DeployException.class)
                .hasMessage("the generated file for api does not pass systemd-analyze verify on mac, so nothing was "
                        + "changed: /etc/systemd/system/.portoser-api/portoser-api.service:9: Unknown key");
        assertThat(seen).extracting(Command::script).containsExactly(NativeScripts.PROBE, NativeScripts.SYSTEMD_LOOK,
                NativeScripts.SYSTEMD_INSTALL);
        // In the script, verify comes before any file is moved into place or systemd is told anything.
        String install = NativeScripts.SYSTEMD_INSTALL;
        assertThat(install.indexOf("verify \"$stage/$unit\"")).isPositive()
                .isLessThan(install.indexOf("mv -f \"$envt\""))
                .isLessThan(install.indexOf("mv -f \"$stage/$unit\" \"$units/$unit\""))
                .isLessThan(install.indexOf("sc daemon-reload"));
        assertThat(install).contains("sc enable --quiet --now \"$unit\"").contains("systemd-analyze verify --man=no")
                .contains("systemd-analyze --user verify --man=no").contains("loginctl enable-linger");
    }

    @Test
    void systemdsAnswersBecomeStatuses() {
        NativeServiceDeployer.MachineFacts m = new NativeServiceDeployer.MachineFacts(
                NativeServiceDeployer.Manager.SYSTEMD, 252, 0, "root", "/root");
        ServiceStatus running = NativeServiceDeployer.parseStatus(m, """
                record abc
                p LoadState=loaded
                p ActiveState=active
                p SubState=running
                p MainPID=42
                p NeedDaemonReload=no
                """, null);
        assertThat(running.isRunning()).isTrue();
        assertThat(running.ids()).containsExactly("42");
        assertThat(running.configDigest()).isEqualTo("abc");
        ServiceStatus stale = NativeServiceDeployer.parseStatus(m, """
                record abc
                p LoadState=loaded
                p ActiveState=active
                p MainPID=42
                p NeedDaemonReload=yes
                """, null);
        assertThat(stale.configDigest()).as("a unit changed behind the running instance").isNull();
        ServiceStatus crashed = NativeServiceDeployer.parseStatus(m, """
                p LoadState=loaded
                p ActiveState=activating
                p SubState=auto-restart
                p MainPID=0
                p ExecMainCode=2
                p ExecMainStatus=9
                """, null);
        assertThat(crashed.state()).isEqualTo(ServiceStatus.State.FAILED);
        assertThat(crashed.detail()).isEqualTo("it was killed by signal 9; systemd restarts it");
        ServiceStatus failed = NativeServiceDeployer.parseStatus(m, """
                p LoadState=loaded
                p ActiveState=failed
                p ExecMainCode=1
                p ExecMainStatus=3
                p Result=exit-code
                """, null);
        assertThat(failed.exitCode()).isEqualTo(3);
        assertThat(failed.detail()).isEqualTo("failed: it exited with status 3 (result exit-code)");
        assertThat(NativeServiceDeployer.parseStatus(m, "record\np LoadState=not-found\np ActiveState=inactive\n", null)
                .state()).isEqualTo(ServiceStatus.State.STOPPED);
        assertThat(NativeServiceDeployer.parseStatus(m, "record\nnomanager\n", null).state())
                .isEqualTo(ServiceStatus.State.STOPPED);
        assertThat(NativeServiceDeployer.parseStatus(m, "record\np Failed to connect to bus\n", null).state())
                .isEqualTo(ServiceStatus.State.UNKNOWN);
    }

    @Test
    void everyScriptIsValidSh() throws Exception {
        for (Field f : NativeScripts.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                f.setAccessible(true);
                Path script = dir.resolve(f.getName() + ".sh");
                Files.writeString(script, (String) f.get(null));
                Process p = new ProcessBuilder("/bin/sh", "-n", script.toString()).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as(f.getName() + ": " + out).isZero();
            }
        }
    }

    static void assertNoSecretInArguments(RecordingTransport t) {
        for (Command c : t.commands) {
            assertThat(String.join(" ", c.argv())).doesNotContain(CANARY);
        }
    }
}

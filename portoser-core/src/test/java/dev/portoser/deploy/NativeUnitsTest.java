package dev.portoser.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** The files {@link NativeUnits} renders: a systemd unit, a launchd property list, an rc.d script. */
class NativeUnitsTest {
    @TempDir
    Path dir;

    static Service service(String command, String extra) {
        return Registry.parse("""
                machines:
                  m: {host: h, user: u, platform: linux}
                services:
                  db: {type: native, path: /srv/db, machine: m, command: /bin/true}
                  cache: {type: local, path: /srv/cache, machine: m, command: /bin/true}
                  api:
                    type: native
                    path: /srv/api
                    machine: m
                    command: %s
                %s
                """.formatted(jsonString(command), extra.indent(4))).service("api").orElseThrow();
    }

    static String jsonString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    static NativeUnits.Target root(int version) {
        return NativeUnits.Target.of("/usr/bin/python3", "/root", true, version);
    }

    @Test
    void aSystemUnitRestartsOnFailureWithLimitsHardeningAndItsSameMachineDependencies() {
        Service s = service("python3 -m http.server 8080", """
                description: The API
                depends_on: [db, cache]
                resources: {memory: 512M, cpus: 0.5}
                """);
        String unit = NativeUnits.systemd(s, root(252).withDependencies(List.of("portoser-db.service")));

        assertThat(unit).contains("[Unit]\nDescription=The API\n")
                .contains("After=network-online.target portoser-db.service\n")
                .contains("Wants=network-online.target portoser-db.service\n")
                .contains("StartLimitIntervalSec=300\nStartLimitBurst=10\n")
                .contains("WorkingDirectory=/srv/api\n")
                .contains("EnvironmentFile=/root/.portoser/env/api.env\n")
                .contains("ExecStart=/usr/bin/python3 -m http.server 8080\n")
                .contains("Restart=on-failure\nRestartSec=1\n")
                .contains("MemoryMax=536870912\n").contains("CPUQuota=50%\n")
                .contains("NoNewPrivileges=yes\nPrivateTmp=yes\nProtectSystem=full\n")
                .contains("[Install]\nWantedBy=multi-user.target\n")
                .doesNotContain("RestartSteps").doesNotContain("RestartMaxDelaySec");
    }

    @Test
    void backOffKeysAppearOnlyWhereSystemdKnowsThem() {
        Service s = service("/bin/sleep 100", "");
        assertThat(NativeUnits.systemd(s, root(253))).doesNotContain("RestartSteps").doesNotContain("RestartMaxDelaySec");
        assertThat(NativeUnits.systemd(s, root(254))).contains("RestartSteps=5\nRestartMaxDelaySec=60\n");
        assertThat(NativeUnits.systemd(s, root(239))).contains("Type=simple\n");
        assertThat(NativeUnits.systemd(s, root(252))).contains("Type=exec\n");
        assertThat(NativeUnits.systemd(s, root(252).withRestartDelay(Duration.ofMillis(1500))))
                .contains("RestartSec=1500ms\n");
    }

    @Test
    void aUserUnitGoesToTheDefaultTargetWithoutPrivilegedSandboxing() {
        String unit = NativeUnits.systemd(service("/bin/sleep 100", ""),
                NativeUnits.Target.of("/bin/sleep", "/home/deploy", false, 252));
        assertThat(unit).contains("WantedBy=default.target\n").contains("NoNewPrivileges=yes\n")
                .contains("EnvironmentFile=/home/deploy/.portoser/env/api.env\n")
                .doesNotContain("PrivateTmp").doesNotContain("ProtectSystem").doesNotContain("network-online");
    }

    @Test
    void hostileArgumentsAreQuotedForSystemdNeverInterpreted() {
        Service s = service("/bin/echo '%h' '$$HOME' 'a \"b\"' 'it''s' '$(reboot)' \"${PORT}x\" $PORT \\;", "");
        String unit = NativeUnits.systemd(s, root(252));
        String exec = unit.lines().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow();
        assertThat(exec).isEqualTo("ExecStart=/usr/bin/python3 \"%%h\" \"$$$$HOME\" \"a \\\"b\\\"\" its"
                + " \"$$(reboot)\" \"${PORT}x\" \"${PORT}\" \";\"");
    }

    @Test
    void aCommandThatNeedsAShellOrHoldsALineBreakIsRefusedInWords() {
        for (String bad : List.of("server | tee log", "server; reboot", "server $(id)", "server `id`", "server > log",
                "server &", "a\nb", "server \"$$\"", "server $?", "server ${X:-y}", "server 'open", "$PROG serve")) {
            assertThatThrownBy(() -> NativeUnits.systemd(service(bad, ""), root(252)))
                    .as(bad).isInstanceOf(DeployException.class).hasMessageStartingWith("the command of api ")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("Exception"));
        }
    }

    @Test
    void descriptionsAndPathsCannotBreakOutOfTheirLine() {
        Service s = service("/bin/true", "description: \"evil\\n[Service]\\nExecStartPre=/bin/rm -rf / 100% \\\\\"");
        String unit = NativeUnits.systemd(s, root(252));
        assertThat(unit).contains("Description=evil [Service] ExecStartPre=/bin/rm -rf / 100%%\n")
                .doesNotContain("\nExecStartPre");
    }

    @Test
    void theEnvironmentFileQuotesEveryValueSoSystemdReadsItBackExactly() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PLAIN", "v");
        env.put("HOSTILE", "a\"b\\c$HOME`id`\nNEXT=1 'q'");
        String file = NativeUnits.systemdEnvironment(service("/bin/true", ""), env);
        assertThat(file).contains("PLAIN=\"v\"\n").contains("HOSTILE=\"a\\\"b\\\\c\\$HOME\\`id\\`\nNEXT=1 'q'\"\n");
        assertThat(file.lines().filter(l -> l.startsWith("NEXT"))).hasSize(1); // inside the quotes: a value, not a key
    }

    @Test
    void theSystemUnitPassesSystemdAnalyzeVerify() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")), "systemd-analyze is not installed here");
        Service s = service("/bin/sh -c 'exec sleep 100' '%h$x'", """
                depends_on: [db]
                resources: {memory: 1.5g, cpus: 2}
                """);
        // Rendered for this machine's systemd: verify warns of keys its version does not know (RestartSteps < 254).
        int version = Integer.parseInt(sh("-c", "systemctl --version | head -n 1").replaceAll("^systemd (\\d+).*\\s*$", "$1"));
        for (NativeUnits.Target t : List.of(NativeUnits.Target.of("/bin/sh", "/root", true, version),
                NativeUnits.Target.of("/bin/sh", "/home/u", false, version))) {
            Path unit = dir.resolve("portoser-api.service");
            Files.writeString(unit, NativeUnits.systemd(s, t));
            List<String> cmd = new ArrayList<>(List.of("/usr/bin/systemd-analyze"));
            if (!t.root()) {
                cmd.add("--user");
            }
            cmd.addAll(List.of("verify", "--man=no", unit.toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            // A user manager's verify looks for its runtime directory, as over SSH.
            pb.environment().put("XDG_RUNTIME_DIR", Files.createDirectories(dir.resolve("run")).toString());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).doesNotContain("portoser-api.service:");
        }
    }

    @Test
    void aBrokenUnitFailsSystemdAnalyzeVerifySoTheCheckIsReal() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")), "systemd-analyze is not installed here");
        Path unit = dir.resolve("portoser-api.service");
        Files.writeString(unit, NativeUnits.systemd(service("/bin/true", ""),
                NativeUnits.Target.of("/usr/bin/does-not-exist", "/root", true, 252)));
        Process p = new ProcessBuilder("/usr/bin/systemd-analyze", "verify", "--man=no", unit.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isNotZero();
    }

    @Test
    void theLaunchdPlistIsAPropertyListThatRestartsOnlyUnsuccessfulExits() throws Exception {
        Service s = service("python3 -m http.server $PORT '<&>'", "");
        String plist = NativeUnits.launchd(s, NativeUnits.Target.of("/usr/bin/python3", "/Users/me", false, 0)
                .withRestartDelay(Duration.ofSeconds(5)));

        Map<String, Node> top = plistDict(plist);

        assertThat(top).containsKeys("Label", "ProgramArguments", "WorkingDirectory", "KeepAlive", "ThrottleInterval",
                "RunAtLoad", "StandardOutPath", "StandardErrorPath");
        assertThat(top.get("Label").getTextContent()).isEqualTo("dev.portoser.api");
        assertThat(top.get("ThrottleInterval").getNodeName()).isEqualTo("integer");
        assertThat(top.get("ThrottleInterval").getTextContent()).isEqualTo("5");
        assertThat(top.get("WorkingDirectory").getTextContent()).isEqualTo("/srv/api");
        Map<String, Node> keepAlive = dict((Element) top.get("KeepAlive"));
        assertThat(keepAlive.get("SuccessfulExit").getNodeName()).isEqualTo("false");
        List<String> args = strings((Element) top.get("ProgramArguments"));
        assertThat(args).hasSize(3).startsWith("/bin/sh", "-c");
        assertThat(args.get(2)).isEqualTo("set -a; . /Users/me/.portoser/env/api.env; set +a; cd /srv/api && exec "
                + "/usr/bin/python3 -m http.server \"${PORT}\" '<&>'");
        assertThat(top.get("StandardOutPath").getTextContent()).isEqualTo("/Users/me/.portoser/logs/api.log");
    }

    @Test
    void theRcdScriptPassesShDashNAndDaemonGetsExactlyTheWords() throws Exception {
        Service s = service("/usr/local/bin/app --name 'a b' '$(reboot)' \"it's\"", "");
        String script = NativeUnits.rcd(s, NativeUnits.Target.of("/usr/local/bin/app", "/root", true, 0));
        Path file = dir.resolve("portoser_api");
        Files.writeString(file, script);
        assertThat(sh("-n", file.toString())).isEmpty();
        assertThat(script).contains("name=portoser_api\n").contains("rcvar=portoser_api_enable\n")
                .contains(". /etc/rc.subr\n").contains("command=/usr/sbin/daemon\n").contains("run_rc_command \"$1\"");

        // rc.subr runs `eval "$command $command_args"`: the words daemon(8) gets.
        String line = script.lines().filter(l -> l.startsWith("command_args=")).findFirst().orElseThrow();
        String words = sh("-c", line + "\neval \"set -- $command_args\"; for a do printf '[%s]\\n' \"$a\"; done");
        assertThat(words.lines().toList()).containsExactly("[-r]", "[-R]", "[1]", "[-P]", "[/var/run/portoser_api.pid]",
                "[-p]", "[/var/run/portoser_api.child.pid]", "[-o]", "[/root/.portoser/logs/api.log]", "[-t]",
                "[portoser_api]", "[/bin/sh]", "[-c]",
                "[set -a; . /root/.portoser/env/api.env; set +a; cd /srv/api && exec /usr/local/bin/app --name 'a b' "
                        + "'$(reboot)' 'it'\\''s']");
    }

    @Test
    void theShellCommandOfLaunchdAndRcdRunsTheWordsLiterally() throws Exception {
        Service s = service("/bin/echo 'a  b' '$(id)' \"x${V}y\" ';'", "");
        String c = NativeUnits.shellCommand(s, NativeUnits.Target.of("/bin/echo", dir.toString(), true, 0));
        Path env = dir.resolve(".portoser/env/api.env");
        Files.createDirectories(env.getParent());
        Files.writeString(env, "V=' v '\n");
        String out = sh("-c", c.replace("cd /srv/api", "cd /"));
        assertThat(out).isEqualTo("a  b $(id) x v y ;\n");
    }

    @Test
    void sizesAreBytesInUnitsOf1024() {
        assertThat(NativeUnits.bytes("512M")).isEqualTo(512L << 20);
        assertThat(NativeUnits.bytes("1.5g")).isEqualTo(3L << 29);
        assertThat(NativeUnits.bytes("200MiB")).isEqualTo(200L << 20);
        assertThat(NativeUnits.bytes("4096")).isEqualTo(4096);
        assertThat(NativeUnits.bytes("1k")).isEqualTo(1024);
    }

    static String sh(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/bin/sh"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    /** The top-level dict of a property list, read with the JDK's XML parser (no DTD fetched). */
    static Map<String, Node> plistDict(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        f.setExpandEntityReferences(false);
        DocumentBuilder b = f.newDocumentBuilder();
        Element plist = b.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
        assertThat(plist.getNodeName()).isEqualTo("plist");
        assertThat(plist.getAttribute("version")).isEqualTo("1.0");
        Element dict = children(plist).get(0);
        assertThat(dict.getNodeName()).isEqualTo("dict");
        return dict(dict);
    }

    static Map<String, Node> dict(Element dict) {
        List<Element> c = children(dict);
        assertThat(c.size() % 2).as("a dict alternates key and value").isZero();
        Map<String, Node> map = new LinkedHashMap<>();
        for (int i = 0; i < c.size(); i += 2) {
            assertThat(c.get(i).getNodeName()).isEqualTo("key");
            map.put(c.get(i).getTextContent(), c.get(i + 1));
        }
        return map;
    }

    static List<String> strings(Element array) {
        assertThat(array.getNodeName()).isEqualTo("array");
        return children(array).stream().peek(e -> assertThat(e.getNodeName()).isEqualTo("string"))
                .map(Node::getTextContent).toList();
    }

    static List<Element> children(Element e) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = e.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element el) {
                out.add(el);
            }
        }
        return out;
    }
}

package dev.portoser.server;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import dev.portoser.registry.Registry;
import dev.portoser.ssh.SshTransportFactory;
import dev.portoser.transport.Command;
import dev.portoser.transport.CommandResult;
import dev.portoser.transport.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The move the dashboard exists for, on two real SSH hosts (the project's test bed: sshd in network namespaces):
 * a running service's card is dragged to the other machine, the plan is confirmed, and the service serves from the
 * new machine while its old instance is gone — both run at once during the move, which two {@code localhost}
 * machines could not show (they share one port space).
 */
class DashboardMoveIT {
    static final Path TESTBED = Path.of("..", "testbed", "testbed.sh").toAbsolutePath().normalize();
    static final Path BED = Path.of(System.getProperty("java.io.tmpdir"), "portoser-testbed-server-it");
    static final int PORT = 8080;

    @TempDir
    Path dir;

    @BeforeAll
    static void up() throws Exception {
        dev.portoser.RootOnly.assume("the SSH test bed (network namespaces, OpenSSH sshd)");
        DashboardBrowserTest.launch();
        run(TESTBED.toString(), "up", "2", BED.toString());
    }

    @AfterAll
    static void down() throws Exception {
        if (dev.portoser.RootOnly.isRoot()) {
            run(TESTBED.toString(), "down", BED.toString());
        }
        DashboardBrowserTest.quit();
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    @Test
    void aRunningServiceDraggedToAnotherHostServesThereAndItsOldInstanceIsGone() throws Exception {
        List<String[]> hosts = Files.readAllLines(BED.resolve("hosts")).stream().map(l -> l.split(" ")).toList();
        Path site = Files.createDirectories(dir.resolve("site"));
        Files.writeString(site.resolve("index.html"), "web\n");
        dir.toFile().setExecutable(true, false); // the hosts' root logins read the site through /tmp
        Path registry = dir.resolve("registry.yml");
        StringBuilder yaml = new StringBuilder("machines:\n");
        for (String[] h : hosts) {
            yaml.append("  ").append(h[0]).append(":\n    host: ").append(h[1]).append("\n    user: root\n")
                    .append("    platform: linux\n    ssh_port: ").append(h[2]).append("\n    ssh_key: ")
                    .append(BED.resolve("id_ed25519")).append('\n');
        }
        String from = hosts.get(0)[0];
        String to = hosts.get(1)[0];
        yaml.append("""
                services:
                  web:
                    type: local
                    path: %s
                    machine: %s
                    command: "exec python3 -m http.server $PORT --bind 0.0.0.0"
                    port: %d
                    health: {type: http, endpoint: /index.html, interval: 1s, timeout: 2s, retries: 2}
                """.formatted(site, from, PORT));
        Files.writeString(registry, yaml);

        try (SshTransportFactory ssh = SshTransportFactory.builder().knownHosts(BED.resolve("known_hosts")).build();
             PortoserServer server = PortoserServer.builder(registry).bind("127.0.0.1", 0)
                     .stateDirectory(dir.resolve("state")).transports(ssh).start()) {
          try {
            ApiClient api = new ApiClient(server.url(), server.token());
            var plan = api.post("/api/v1/plans", java.util.Map.of("action", "deploy", "services", List.of("web")));
            var run = api.post("/api/v1/runs", java.util.Map.of("plan", plan.json().path("id").asText()));
            String runId = run.json().path("id").asText();
            ServerApiTest.await("the first deploy", () -> !api.get("/api/v1/runs/" + runId).json().path("status")
                    .asText().equals("RUNNING"));
            assertThat(api.get("/api/v1/runs/" + runId).json().path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(listens(hosts.get(0)[1])).as("web serves on " + from).isTrue();

            Browser browser = DashboardBrowserTest.browser;
            try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 800))) {
                context.setDefaultTimeout(60_000);
                Page page = context.newPage();
                page.navigate(server.loginUrl().toString());
                Locator oldCard = page.locator("#board .machine[data-machine=\"" + from + "\"] .card[data-service=\"web\"]");
                Locator target = page.locator("#board .machine[data-machine=\"" + to + "\"]");
                assertThat(oldCard).hasAttribute("data-state", "HEALTHY");

                oldCard.dragTo(target);
                assertThat(page.locator("#plan-title")).hasText("Move web from " + from + " to " + to);
                assertThat(page.locator("#plan-steps")).containsText("MIGRATE web from " + from + " to " + to);
                page.locator("#plan-confirm").click();
                assertThat(page.locator("#run-status")).hasAttribute("data-status", "SUCCEEDED");
                page.locator("#plan-cancel").click();

                assertThat(target.locator(".card[data-service=\"web\"]")).hasAttribute("data-state", "HEALTHY");
                assertThat(oldCard).hasCount(0);
                page.screenshot(new Page.ScreenshotOptions().setPath(DashboardBrowserTest.SCREENSHOTS
                        .resolve("move-between-hosts.png")).setFullPage(true));
            }
            assertThat(listens(hosts.get(1)[1])).as("web serves on " + to).isTrue();
            assertThat(listens(hosts.get(0)[1])).as("web's old instance on " + from + " is gone").isFalse();
            try (Transport t = ssh.open(Registry.load(registry).machine(from).orElseThrow())) {
                CommandResult pid = t.exec(Command.script("test -e \"$HOME/.portoser/run/web.pid\""));
                assertThat(pid.exitCode()).as("no PID file of web left on " + from).isNotZero();
            }
            assertThat(Files.readString(registry)).contains("machine: " + to + "\n");
          } finally {
            for (var m : Registry.load(registry).machines().values()) {
                try (Transport t = ssh.open(m)) {
                    t.exec(Command.script(dev.portoser.deploy.KillRecorded.SCRIPT));
                }
            }
          }
        }
    }

    private static boolean listens(String host) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, PORT), 2000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

}

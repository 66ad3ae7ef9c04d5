package dev.portoser.server;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.ColorScheme;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium}), driven by Playwright, over a server of
 * real local services: what a user sees and does, and what it does to registry.yml. Screenshots of each tab in
 * both themes go to {@code target/screenshots}.
 */
class DashboardBrowserTest {
    static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
    static final Path NODE = Paths.get("/usr/bin/node");
    static final Path SCREENSHOTS = Paths.get("target", "screenshots");

    static Path browserTemp;
    static Playwright playwright;
    static Browser browser;

    @TempDir
    Path dir;
    LocalFleet fleet;
    PortoserServer server;
    BrowserContext context;
    Page page;

    @BeforeAll
    static void launch() throws IOException {
        for (Path needed : List.of(CHROMIUM, NODE)) {
            if (Files.isExecutable(needed)) {
                continue;
            }
            // CI runs as root and installs both (.ci/run): there a missing one is a failure, never a silent skip
            String what = needed.equals(CHROMIUM) ? "Debian's chromium at " + CHROMIUM + " (apt-get install chromium)"
                    : "node at " + NODE + " for Playwright's driver (apt-get install nodejs)";
            if ("root".equals(System.getProperty("user.name")) || System.getenv("CI") != null) {
                throw new IllegalStateException("the browser tests need " + what + "; .ci/run installs it");
            }
            Assumptions.abort("the browser tests are skipped: they need " + what);
        }
        // Chromium's and the driver's leftovers (profile, crash and cache folders) go to a directory of our own
        browserTemp = Files.createTempDirectory("portoser-browser-test");
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("TMPDIR", browserTemp.toString());
        env.put("XDG_CONFIG_HOME", browserTemp.resolve("config").toString());
        env.put("XDG_CACHE_HOME", browserTemp.resolve("cache").toString());
        env.put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        playwright = Playwright.create(new Playwright.CreateOptions().setEnv(env));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(CHROMIUM)
                .setHeadless(true).setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-background-networking", "--disable-component-update", "--no-first-run",
                        "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1")));
        // generous bounds: the machine is shared and loaded; each wait ends as soon as its condition holds
        PlaywrightAssertions.setDefaultAssertionTimeout(60_000);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void quit() throws IOException {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
        if (browserTemp != null) {
            try (Stream<Path> all = Files.walk(browserTemp)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @BeforeEach
    void start() throws Exception {
        fleet = new LocalFleet(dir);
        server = fleet.server().start();
        context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 800));
        context.setDefaultTimeout(60_000);
        page = context.newPage();
    }

    @AfterEach
    void stop() {
        if (context != null) {
            context.close();
        }
        if (server != null) {
            server.close();
        }
        fleet.close();
    }

    /**
     * Waits for the run the page shows to succeed; when it does not, the failure carries the server's record of
     * the newest run (its steps and events), which says where it stands.
     */
    void runSucceeded() {
        try {
            assertThat(page.locator("#run-status")).hasAttribute("data-status", "SUCCEEDED");
        } catch (AssertionError e) {
            ApiClient client = new ApiClient(server.url(), server.token());
            var runs = client.get("/api/v1/runs").json().path("runs");
            String newest = runs.isEmpty() ? "no run" : client.get("/api/v1/runs/" + runs.get(0).path("id").asText())
                    .text();
            throw new AssertionError(e.getMessage() + "\nthe newest run on the server: " + newest, e);
        }
    }

    void signIn() {
        page.navigate(server.loginUrl().toString());
        assertThat(page).hasURL(server.url().resolve("/").toString());
    }

    Locator column(String machine) {
        return page.locator("#board .machine[data-machine=\"" + machine + "\"]");
    }

    Locator card(String machine, String service) {
        return column(machine).locator(".card[data-service=\"" + service + "\"]");
    }

    void shot(String name) {
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
    }

    @Test
    void thePageShowsTheMachinesAndTheirServicesAndASortableTableInBothThemes() throws Exception {
        signIn();
        assertThat(page.locator("#board .machine")).hasCount(2);
        assertThat(column("alpha").locator("h2")).hasText("alpha");
        assertThat(column("alpha")).containsText("portoser@localhost · linux");
        assertThat(column("alpha").locator(".tag")).hasText("rack-1");
        assertThat(column("beta")).containsText("the second machine");
        assertThat(column("alpha").locator(".card")).hasCount(2);
        assertThat(card("alpha", "db")).isVisible();
        assertThat(card("alpha", "api")).isVisible();
        assertThat(card("beta", "web")).isVisible();
        // nothing is deployed: no service may show as healthy
        assertThat(page.locator(".card.state-HEALTHY")).hasCount(0);
        assertThat(page.locator("#summary")).hasText("2 machines, 3 services");
        assertThat(page.locator("body")).not().containsText("do-not-send-me");

        page.emulateMedia(new Page.EmulateMediaOptions().setColorScheme(ColorScheme.LIGHT));
        shot("machines-light");
        page.emulateMedia(new Page.EmulateMediaOptions().setColorScheme(ColorScheme.DARK));
        String darkBackground = (String) page.evaluate("getComputedStyle(document.body).backgroundColor");
        shot("machines-dark");

        page.locator("#tab-services").click();
        assertThat(page.locator("#view-machines")).isHidden();
        Locator names = page.locator("#service-table tbody tr td:first-child");
        assertThat(names).hasText(new String[] {"api", "db", "web"});
        page.locator("#service-table th button[data-sort=name]").click();
        assertThat(names).hasText(new String[] {"web", "db", "api"});
        page.locator("#service-table th button[data-sort=machine]").click();
        assertThat(page.locator("#service-table tbody tr td:nth-child(3)")).hasText(new String[] {"alpha", "alpha",
            "beta"});
        shot("services-dark");

        // the toggle overrides the system's preference
        page.locator("#theme-toggle").click();
        assertThat(page.locator("#theme-toggle")).hasText("Theme: light");
        assertThat(page.locator("html")).hasAttribute("data-theme", "light");
        String lightBackground = (String) page.evaluate("getComputedStyle(document.body).backgroundColor");
        assertThat(lightBackground).isNotEqualTo(darkBackground);
        shot("services-light");
    }

    @Test
    void withoutTheLoginLinkThePageSaysHowToSignIn() {
        page.navigate(server.url().toString());
        assertThat(page.locator("#auth")).isVisible();
        assertThat(page.locator("#auth")).containsText("Open the login link");
        assertThat(page.locator("#board .machine")).hasCount(0);
    }

    @Test
    void aServiceAddedThroughTheFormLandsInTheFileWithEveryOtherByteUnchangedAndABadValueIsShownAtItsField()
            throws Exception {
        signIn();
        assertThat(page.locator("#board .machine")).hasCount(2);
        String before = Files.readString(fleet.registry);

        page.locator("#add-service").click();
        page.locator("#f-name").fill("extra");
        page.locator("#f-type").selectOption("local");
        page.locator("#f-machine").selectOption("beta");
        page.locator("#f-port").fill("70000");
        page.locator("#f-path").fill(dir.resolve("sites/extra").toString());
        page.locator("#f-command").fill("exec python3 -m http.server $PORT --bind 127.0.0.1");
        page.locator("#form-save").click();
        assertThat(page.locator(".field[data-field=port] .field-error")).containsText("port");
        assertThat(page.locator(".field[data-field=port]")).hasClass(java.util.regex.Pattern.compile(".*invalid.*"));
        assertThat(page.locator("#form-dialog")).isVisible();
        assertThat(Files.readString(fleet.registry)).isEqualTo(before);

        page.locator("#f-port").fill(String.valueOf(fleet.ports.get(3)));
        page.locator("#form-save").click();
        assertThat(page.locator("#form-dialog")).isHidden();
        assertThat(card("beta", "extra")).isVisible();
        assertThat(page.locator("#notice")).containsText("Added service extra");
        String after = Files.readString(fleet.registry);
        assertThat(after).startsWith(before);
        assertThat(after.substring(before.length())).startsWith("  extra:\n").contains("    machine: beta\n")
                .contains("    port: " + fleet.ports.get(3) + "\n");

        page.locator("#add-machine").click();
        page.locator("#f-name").fill("gamma");
        page.locator("#f-host").fill("localhost");
        page.locator("#f-user").fill("portoser");
        page.locator("#form-save").click();
        assertThat(column("gamma")).isVisible();
        assertThat(Files.readString(fleet.registry)).startsWith(before.substring(0, before.indexOf("\nservices:")))
                .contains("  gamma:\n");
    }

    @Test
    void removingADependedOnServiceShowsItsDependentsAndRemovesItOnlyWhenForced() throws Exception {
        signIn();
        card("alpha", "db").click();
        assertThat(page.locator("#details-dialog")).isVisible();
        assertThat(page.locator("#details-title")).hasText("Service db");
        page.locator("#do-remove").click();
        page.locator("#confirm-ok").click();
        assertThat(page.locator("#confirm-title")).hasText("Remove db anyway?");
        assertThat(page.locator("#dependents li")).hasText(new String[] {"api"});
        page.locator("#confirm-cancel").click();
        assertThat(page.locator("#confirm-dialog")).isHidden();
        assertThat(Files.readString(fleet.registry)).contains("  db:");

        card("alpha", "db").click();
        page.locator("#do-remove").click();
        page.locator("#confirm-ok").click();
        assertThat(page.locator("#dependents li")).hasText(new String[] {"api"});
        page.locator("#confirm-ok").click();
        assertThat(card("alpha", "db")).hasCount(0);
        assertThat(card("alpha", "api")).isVisible();
        assertThat(Files.readString(fleet.registry)).doesNotContain("  db:").doesNotContain("depends_on: [db]");
    }

    @Test
    void aServicesPanelShowsItsLogsAndItsHistoryAndRollsBackToAnEarlierDeployment() throws Exception {
        signIn();
        card("alpha", "db").click();
        page.locator("#do-deploy").click();
        page.locator("#plan-confirm").click();
        runSucceeded();
        page.locator("#plan-cancel").click();
        assertThat(card("alpha", "db")).hasAttribute("data-state", "HEALTHY");

        card("alpha", "db").click();
        page.locator("#log-lines").fill("20");
        page.locator("#do-logs").click();
        assertThat(page.locator("#details-logs")).containsText("GET /index.html");
        assertThat(page.locator("#history-table tbody tr")).hasCount(1);
        assertThat(page.locator("#history-table tbody")).containsText("SUCCEEDED");
        page.locator("#history-table tbody button").click();
        page.locator("#confirm-ok").click();
        runSucceeded();
        page.locator("#plan-cancel").click();
        ApiClient client = new ApiClient(server.url(), server.token());
        ServerApiTest.await("the rollback's record", () -> client.get("/api/v1/services/db/history").json()
                .path("records").size() == 2);
        var runs = client.get("/api/v1/runs").json().path("runs");
        assertThat(runs.get(0).path("action").asText()).isEqualTo("rollback");
        ServerApiTest.await("the rollback to end", () -> client.get("/api/v1/runs/" + runs.get(0).path("id").asText())
                .json().path("status").asText().equals("SUCCEEDED"));
        assertThat(client.get("/api/v1/services/db/history").json().path("records").get(0).path("outcome").asText())
                .isEqualTo("SUCCEEDED");
    }

    @Test
    void aCardDraggedToAnotherMachineMovesItThereAfterTheConfirmedPlanAndCancelChangesNothing() throws Exception {
        signIn();
        String before = Files.readString(fleet.registry);

        // a move waits for the moved service's dependencies to be healthy: deploy api (and so db) from its panel
        card("alpha", "api").click();
        page.locator("#do-deploy").click();
        assertThat(page.locator("#plan-title")).hasText("Deploy api");
        assertThat(page.locator("#plan-steps li")).hasCount(2);
        page.locator("#plan-confirm").click();
        runSucceeded();
        page.locator("#plan-cancel").click();
        assertThat(card("alpha", "api")).hasAttribute("data-state", "HEALTHY");
        assertThat(card("alpha", "db")).hasAttribute("data-state", "HEALTHY");
        assertThat(Files.readString(fleet.registry)).isEqualTo(before);

        // by keyboard: focus the card, Enter, "Move to…", then Cancel in the plan
        card("beta", "web").focus();
        page.keyboard().press("Enter");
        assertThat(page.locator("#details-dialog")).isVisible();
        page.locator("#move-target").selectOption("alpha");
        page.locator("#do-move").click();
        assertThat(page.locator("#plan-dialog")).isVisible();
        assertThat(page.locator("#plan-title")).hasText("Move web from beta to alpha");
        page.locator("#plan-cancel").click();
        assertThat(page.locator("#plan-dialog")).isHidden();
        assertThat(Files.readString(fleet.registry)).isEqualTo(before);
        assertThat(card("beta", "web")).isVisible();

        // by mouse: drag onto alpha, read the plan, confirm
        card("beta", "web").dragTo(column("alpha"));
        assertThat(page.locator("#plan-dialog")).isVisible();
        assertThat(page.locator("#plan-title")).hasText("Move web from beta to alpha");
        assertThat(page.locator("#plan-steps li").first()).isVisible();
        assertThat(page.locator("#plan-steps")).containsText("MIGRATE web from beta to alpha");
        assertThat(page.locator("#plan-diff .del")).containsText(new String[] {"-    machine: beta"});
        assertThat(page.locator("#plan-diff .add")).containsText(new String[] {"+    machine: alpha"});
        assertThat(page.locator("#plan-warnings")).containsText("are not copied");
        shot("move-plan");
        assertThat(Files.readString(fleet.registry)).isEqualTo(before);

        page.locator("#plan-confirm").click();
        runSucceeded();
        assertThat(page.locator("#run-steps li").first()).containsText("migrate:web@alpha: SUCCEEDED");
        page.locator("#plan-cancel").click();

        assertThat(card("alpha", "web")).hasAttribute("data-state", "HEALTHY");
        assertThat(card("beta", "web")).hasCount(0);
        assertThat(column("beta")).containsText("no services");
        assertThat(Files.readString(fleet.registry)).contains("machine: alpha\n    command: \"exec python3 -m "
                + "http.server $PORT --bind 127.0.0.1\"\n    port: " + fleet.ports.get(2));
        shot("machines-after-move");
    }

    @Test
    void fiftyMachinesAndFiveHundredServicesRenderFromOneListingWithoutAFetchPerCard() throws Exception {
        StringBuilder yaml = new StringBuilder("machines:\n");
        for (int m = 0; m < 50; m++) {
            yaml.append("  m%02d:\n    host: localhost\n    user: portoser\n    platform: linux\n    tags: [rack-%d]\n"
                    .formatted(m, m % 5));
        }
        yaml.append("\nservices:\n");
        for (int i = 0; i < 500; i++) {
            yaml.append(("  s%03d:\n    type: local\n    path: %s\n    machine: m%02d\n    command: \"true\"\n"
                    + "    port: %d\n    health: {type: tcp, interval: 60s, timeout: 1s, retries: 1}\n")
                    .formatted(i, dir.resolve("sites/extra"), i % 50, 20_000 + i));
        }
        Files.writeString(fleet.registry, yaml.toString());
        server.close();
        server = fleet.server().start();
        List<String> serviceFetches = new java.util.ArrayList<>();
        page.onRequest(r -> {
            if (r.url().matches(".*/api/v1/services/.+")) {
                serviceFetches.add(r.url());
            }
        });

        long start = System.nanoTime();
        signIn();
        assertThat(page.locator("#board .machine")).hasCount(50);
        assertThat(page.locator("#board .card")).hasCount(500);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("dashboard: 50 machines and 500 services shown " + millis + " ms after the login link");
        assertThat(serviceFetches).as("no request per card").isEmpty();
        assertThat(column("m07").locator(".card")).hasCount(10);
        // the columns scroll sideways instead of squeezing
        assertThat((Boolean) page.evaluate("(() => { const b = document.querySelector('#board'); "
                + "return b.scrollWidth > b.clientWidth * 5; })()")).isTrue();
        shot("machines-500-services");
        page.locator("#filter").fill("s12");
        assertThat(page.locator("#board .card")).hasCount(10); // s120 to s129
        page.locator("#filter").fill("");
        assertThat(page.locator("#board .card")).hasCount(500);
        page.locator("#tab-services").click();
        assertThat(page.locator("#service-table tbody tr")).hasCount(500);
        shot("services-500");
    }

    @Test
    void anEditIsSavedThroughTheFormAndAnEditOfAStaleRegistryIsRefusedAndReloaded() throws Exception {
        signIn();
        card("beta", "web").click();
        page.locator("#do-edit").click();
        assertThat(page.locator("#form-title")).hasText("Edit service web");
        assertThat(page.locator("#f-depends_on")).hasValue("api");
        page.locator("#f-description").fill("the site");
        page.locator("#form-save").click();
        assertThat(page.locator("#form-dialog")).isHidden();
        assertThat(page.locator("#notice")).containsText("Saved service web");
        assertThat(Files.readString(fleet.registry)).contains("    description: the site\n")
                .contains("    depends_on: [api]\n");

        // someone else edits the file while the form is open: the save is refused, said, and the page reloads
        column("beta").locator("button", new Locator.LocatorOptions().setHasText("Edit")).click();
        page.locator("#f-description").fill("renamed here");
        String theirs = Files.readString(fleet.registry).replace("description: the second machine",
                "description: renamed there");
        Files.writeString(fleet.registry, theirs);
        page.locator("#form-save").click();
        assertThat(page.locator("#notice")).containsText("The registry changed since the page read it");
        assertThat(Files.readString(fleet.registry)).isEqualTo(theirs);
        page.locator("#form-cancel").click();
        assertThat(column("beta")).containsText("renamed there");
    }
}

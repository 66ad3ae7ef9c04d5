package dev.portoser.ssh;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The project's test bed ({@code testbed/testbed.sh}): real OpenSSH hosts in network namespaces, started once per
 * test JVM and torn down when it ends, even after failures. Register with {@code @ExtendWith(TestBed.class)} and
 * use {@link #get()}.
 */
public final class TestBed implements BeforeAllCallback {
    static final int HOSTS = 3;
    private static final Path SCRIPT = Path.of("..", "testbed", "testbed.sh").toAbsolutePath().normalize();
    private static volatile TestBed instance;
    private static final String BED = "the SSH test bed (network namespaces, OpenSSH sshd)";

    final Path dir;
    final List<Machine> machines = new ArrayList<>();
    final boolean namespaces;

    /** For JUnit. */
    public TestBed() {
        this.dir = Path.of(System.getProperty("java.io.tmpdir"), "portoser-testbed-it");
        this.namespaces = false;
    }

    private TestBed(Path dir) throws IOException {
        this.dir = dir;
        this.namespaces = Files.readString(dir.resolve("mode")).strip().equals("netns");
        for (String line : Files.readAllLines(dir.resolve("hosts"))) {
            String[] f = line.split(" ");
            machines.add(new Machine(f[0], f[1], "root", Platform.LINUX, Integer.parseInt(f[2]),
                    dir.resolve("id_ed25519").toString(), null, null, null, null, List.of()));
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dev.portoser.RootOnly.assume(context.getRequiredTestClass().getName(), BED);
        get();
    }

    /** The running test bed, started on first use. */
    static synchronized TestBed get() throws Exception {
        dev.portoser.RootOnly.assume(BED);
        if (instance == null) {
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "portoser-testbed-it");
            run(SCRIPT.toString(), "up", String.valueOf(HOSTS), dir.toString());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    run(SCRIPT.toString(), "down", dir.toString());
                } catch (Exception e) {
                    System.err.println("testbed: tear-down failed: " + e);
                }
            }, "portoser-testbed-down"));
            instance = new TestBed(dir);
        }
        return instance;
    }

    Machine machine(int index) {
        return machines.get(index - 1);
    }

    Path knownHosts() {
        return dir.resolve("known_hosts");
    }

    Path authorizedKeys() {
        return dir.resolve("authorized_keys");
    }

    String ip(int index) {
        return machine(index).host();
    }

    void killSshd(int index) throws Exception {
        run(SCRIPT.toString(), "kill-sshd", String.valueOf(index), dir.toString());
    }

    void restartSshd(int index) throws Exception {
        run(SCRIPT.toString(), "restart-sshd", String.valueOf(index), dir.toString());
    }

    /** Takes the host's link down (a partition); requires network namespaces. */
    void linkDown(int index) throws Exception {
        run("ip", "link", "set", "ptsr-v" + index, "down");
    }

    void linkUp(int index) throws Exception {
        run("ip", "link", "set", "ptsr-v" + index, "up");
    }

    /** Makes the host silently drop everything from the test network (a hang, not a refusal). */
    void dropTraffic(int index) throws Exception {
        run("ip", "netns", "exec", "ptsr-h" + index, "iptables", "-A", "INPUT", "-s", "10.200.0.0/24", "-j", "DROP");
    }

    void restoreTraffic(int index) throws Exception {
        run("ip", "netns", "exec", "ptsr-h" + index, "iptables", "-D", "INPUT", "-s", "10.200.0.0/24", "-j", "DROP");
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}

package dev.portoser.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.portoser.deploy.Deployers;
import dev.portoser.health.HealthMonitor;
import dev.portoser.health.HealthState;
import dev.portoser.health.ServiceHealth;
import dev.portoser.registry.Registry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.forward.AcceptAllForwardingFilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code health.via: ssh}: a service bound to its machine's loopback, checked through the machine's SSH connection. */
class HealthViaSshTest {
    @TempDir
    Path dir;

    @Test
    void aLoopbackOnlyServiceIsCheckedThroughTheMachinesSshConnection() throws Exception {
        Path key = TestKeys.generate(dir.resolve("id_ecdsa"), "ecdsa", "");
        List<String> forwarded = new CopyOnWriteArrayList<>();
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        http.start();
        int port = http.getAddress().getPort();
        try (MinaServer server = new MinaServer(dir, Path.of(key + ".pub"))) {
            server.server.setForwardingFilter(new AcceptAllForwardingFilter() {
                @Override
                public boolean canConnect(Type type, SshdSocketAddress address, Session session) {
                    forwarded.add(address.getHostName() + ":" + address.getPort());
                    return true;
                }
            });
            Registry registry = Registry.parse("""
                    machines:
                      box: {host: 127.0.0.1, port: %d, user: %s, platform: linux, ssh_key: %s}
                    services:
                      api: {type: local, path: /srv/api, machine: box, command: ./api, port: %d, health: {type: http, endpoint: /health, via: ssh, retries: 1}}
                    """.formatted(server.port(), System.getProperty("user.name"), key, port));
            try (SshTransportFactory ssh = SshTransportFactory.builder().knownHosts(server.knownHosts).build();
                 HealthMonitor monitor = HealthMonitor.builder(registry).transports(ssh).deployers(Deployers.of())
                         .scheduling(false).start()) {
                ServiceHealth up = monitor.checkNow("api").get(30, TimeUnit.SECONDS);
                assertThat(up.state()).as("%s", up.lastResult()).isEqualTo(HealthState.HEALTHY);
                assertThat(up.lastResult().detail()).endsWith("-> 200 (through the SSH connection to box, port "
                        + port + ")");
                assertThat(forwarded).contains("127.0.0.1:" + port);
                assertThat(monitor.checkNow("api").get(30, TimeUnit.SECONDS).state()).isEqualTo(HealthState.HEALTHY);

                http.stop(0);
                ServiceHealth down = monitor.checkNow("api").get(30, TimeUnit.SECONDS);
                assertThat(down.state()).isEqualTo(HealthState.UNHEALTHY);
            }
        } finally {
            http.stop(0);
        }
    }
}

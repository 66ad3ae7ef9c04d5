package dev.portoser.server;

import dev.portoser.deploy.KillRecorded;
import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import dev.portoser.transport.Command;
import dev.portoser.transport.LocalTransport;
import dev.portoser.transport.Transport;
import dev.portoser.transport.TransportFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A registry of {@code localhost} machines whose services are real {@code python3 -m http.server} processes, each
 * machine with its own sandbox home (so two machines' PID files and locks never mix), on free ports.
 */
public final class LocalFleet implements AutoCloseable {
    final Path root;
    final Path registry;
    final Path state;
    final List<Integer> ports = new ArrayList<>();

    /**
     * A fleet under a temporary directory.
     *
     * @param root the directory
     * @throws IOException when it cannot be set up
     */
    public LocalFleet(Path root) throws IOException {
        this.root = root;
        this.state = Files.createDirectories(root.resolve("state"));
        // all sockets open at once: a port closed and asked for again can come back, and two services would share it
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                ServerSocket s = new ServerSocket(0);
                held.add(s);
                ports.add(s.getLocalPort());
            }
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
        for (String name : List.of("db", "api", "web", "extra")) {
            Path site = Files.createDirectories(root.resolve("sites/" + name));
            Files.writeString(site.resolve("index.html"), name + " serves\n");
        }
        this.registry = root.resolve("registry.yml");
        Files.writeString(registry, """
                # The fleet of the server tests: two machines on this host.
                machines:
                  alpha:
                    host: localhost
                    user: portoser
                    platform: linux
                    tags: [rack-1]
                  beta:
                    host: localhost
                    user: portoser
                    platform: linux
                    description: the second machine

                services:
                  db:
                    type: local
                    path: %s
                    machine: alpha
                    command: "exec python3 -m http.server $PORT --bind 127.0.0.1"
                    port: %d
                    health: {type: http, endpoint: /index.html, interval: 1s, timeout: 2s, retries: 2}
                  api:
                    type: local
                    path: %s
                    machine: alpha
                    command: "exec python3 -m http.server $PORT --bind 127.0.0.1"
                    port: %d
                    depends_on: [db]
                    env: {API_SECRET_LOOKALIKE: do-not-send-me}
                    health: {type: http, endpoint: /index.html, interval: 1s, timeout: 2s, retries: 2}
                  web:
                    type: local
                    path: %s
                    machine: beta
                    command: "exec python3 -m http.server $PORT --bind 127.0.0.1"
                    port: %d
                    depends_on: [api]
                    health: {type: http, endpoint: /index.html, interval: 1s, timeout: 2s, retries: 2}
                """.formatted(root.resolve("sites/db"), ports.get(0), root.resolve("sites/api"), ports.get(1),
                root.resolve("sites/web"), ports.get(2)));
    }

    /**
     * The sandbox transports: each machine's home is its own directory under the root.
     *
     * @return the factory
     */
    public TransportFactory transports() {
        return new TransportFactory() {
            @Override
            public Transport open(Machine machine) {
                try {
                    return new LocalTransport(machine, Files.createDirectories(root.resolve("home-" + machine.name())));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * A server of this fleet on a free loopback port.
     *
     * @return the builder, for more options
     */
    public PortoserServer.Builder server() {
        return PortoserServer.builder(registry).bind("127.0.0.1", 0).stateDirectory(state)
                .localTransports(transports()).reloadInterval(java.time.Duration.ofMillis(200));
    }

    /** Stops every service the tests started, on every machine. */
    @Override
    public void close() {
        for (Machine m : Registry.load(registry).machines().values()) {
            try (Transport t = transports().open(m)) {
                t.exec(Command.script(KillRecorded.SCRIPT));
            }
        }
    }
}

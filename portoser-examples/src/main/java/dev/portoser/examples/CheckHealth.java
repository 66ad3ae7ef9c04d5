package dev.portoser.examples;

import com.sun.net.httpserver.HttpServer;
import dev.portoser.health.HealthChecks;
import dev.portoser.health.HealthGate;
import dev.portoser.health.HealthResult;
import dev.portoser.health.HealthTarget;
import dev.portoser.registry.Registry;
import dev.portoser.registry.Service;
import dev.portoser.transport.LocalTransport;
import dev.portoser.transport.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/** Checks a service's health once, then waits for it the way the executor does, against a small local server. */
public final class CheckHealth {
    private CheckHealth() {
    }

    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        Registry registry = Registry.parse("""
                machines:
                  laptop: {host: localhost, user: me, platform: linux}
                services:
                  api: {type: local, path: /srv/api, machine: laptop, command: ./api, port: %d, health: {type: http, endpoint: /health, expected_status: 204}}
                """.formatted(server.getAddress().getPort()));
        Service api = registry.service("api").orElseThrow();
        try (Transport t = new LocalTransport(registry.machine("laptop").orElseThrow())) {
            HealthTarget target = new HealthTarget(api, registry.machine("laptop").orElseThrow(), api.port(), t);
            HealthChecks checks = new HealthChecks();
            System.out.println("before start: " + checks.forService(api).check(target).status());
            server.start();
            HealthResult result = new HealthGate().await(checks.forService(api), target, Duration.ofSeconds(10));
            System.out.println("after start:  " + result.status() + " (" + result.detail() + ")");
        } finally {
            server.stop(0);
        }
    }
}

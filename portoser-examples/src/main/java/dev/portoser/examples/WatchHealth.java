package dev.portoser.examples;

import com.sun.net.httpserver.HttpServer;
import dev.portoser.deploy.Deployers;
import dev.portoser.health.HealthMonitor;
import dev.portoser.health.HealthState;
import dev.portoser.health.ServiceHealth;
import dev.portoser.registry.Registry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Watches two services continuously: {@code web} depends on {@code api}. When the api fails, it alone is reported
 * unhealthy; web, failing with it, is blocked by it. Then both recover.
 */
public final class WatchHealth {
    private WatchHealth() {
    }

    private static volatile boolean apiUp = true;

    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/health", exchange -> {
            exchange.sendResponseHeaders(apiUp ? 200 : 503, -1);
            exchange.close();
        });
        server.createContext("/web/health", exchange -> { // web is healthy only while it can use the api
            exchange.sendResponseHeaders(apiUp ? 200 : 502, -1);
            exchange.close();
        });
        server.start();
        int port = server.getAddress().getPort();
        Registry registry = Registry.parse("""
                machines:
                  laptop: {host: localhost, user: me, platform: linux}
                services:
                  api: {type: local, path: /srv/api, machine: laptop, command: ./api, health: {type: http, port: %d, endpoint: /api/health, interval: 200ms, retries: 2}}
                  web: {type: local, path: /srv/web, machine: laptop, command: ./web, depends_on: [api], health: {type: http, port: %d, endpoint: /web/health, interval: 200ms, retries: 3}}
                """.formatted(port, port));
        BlockingQueue<String> changes = new LinkedBlockingQueue<>();
        // These services were not deployed by Portoser, so no deployer's "our process runs" check applies.
        try (HealthMonitor monitor = HealthMonitor.builder(registry).deployers(Deployers.of())
                .listener(t -> {
                    System.out.println((t.isRootCause() ? "ALERT " : "      ") + t.describe());
                    changes.add(t.service() + "=" + t.to());
                })
                .start()) {
            awaitState(changes, "api=HEALTHY", "web=HEALTHY");
            apiUp = false;
            awaitState(changes, "api=UNHEALTHY", "web=BLOCKED");
            ServiceHealth web = monitor.snapshot("web").orElseThrow();
            System.out.println("web is " + web.state() + " by " + web.blockedBy());
            apiUp = true;
            awaitState(changes, "api=HEALTHY", "web=HEALTHY");
            System.out.println("all healthy: " + monitor.snapshots().values().stream()
                    .allMatch(h -> h.state() == HealthState.HEALTHY));
        } finally {
            server.stop(0);
        }
    }

    /** Waits (at most 10 s for each) until these changes were heard, in any order. */
    private static void awaitState(BlockingQueue<String> changes, String... expected) throws InterruptedException {
        java.util.Set<String> missing = new java.util.HashSet<>(java.util.List.of(expected));
        while (!missing.isEmpty()) {
            String change = changes.poll(10, TimeUnit.SECONDS);
            if (change == null) {
                throw new IllegalStateException("still waiting for " + missing);
            }
            missing.remove(change);
        }
    }
}

package dev.portoser.secret;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.registry.Machine;
import dev.portoser.registry.Registry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The watcher learns versions first, then reports each change once, per service and path. */
class RotationWatcherTest {
    static final Registry REGISTRY = Registry.parse("""
            machines:
              m1: {host: h1, user: u, platform: linux}
            services:
              api: {type: local, path: /srv/api, machine: m1, command: ./api, vault_secrets: [{path: secret/data/api, keys: [token]}]}
              web: {type: local, path: /srv/web, machine: m1, command: ./web, vault_secrets: [{path: secret/data/shared, keys: [key]}]}
              plain: {type: local, path: /srv/plain, machine: m1, command: ./plain}
            """);

    /** A provider whose versions the test sets. */
    static final class Versioned implements SecretProvider {
        final Map<String, Integer> versions = new ConcurrentHashMap<>(Map.of("secret/data/api", 1, "secret/data/shared", 7));

        @Override
        public Secret read(Machine machine, String path, String key) {
            return new Secret("value-" + versions.get(path), String.valueOf(versions.get(path)));
        }
    }

    @Test
    void aNewVersionIsReportedOnceForTheServicesThatUseIt() {
        Versioned provider = new Versioned();
        List<RotationWatcher.Rotation> seen = new ArrayList<>();
        try (RotationWatcher watcher = new RotationWatcher(REGISTRY, provider, Duration.ofHours(1), seen::add)) {
            assertThat(watcher.poll()).isEmpty();
            assertThat(watcher.poll()).isEmpty();
            provider.versions.put("secret/data/api", 2);
            assertThat(watcher.poll()).containsExactly(new RotationWatcher.Rotation("api", "secret/data/api", "1", "2"));
            assertThat(watcher.poll()).isEmpty();
        }
        assertThat(seen).hasSize(1);
        assertThat(seen.toString()).doesNotContain("value-");
    }

    @Test
    void providersWithoutVersionsAreNotWatched() {
        MapSecretProvider plain = new MapSecretProvider(Map.of("secret/data/api", Map.of("token", "x"),
                "secret/data/shared", Map.of("key", "y")));
        try (RotationWatcher watcher = new RotationWatcher(REGISTRY, plain, Duration.ofHours(1), r -> { })) {
            watcher.poll();
            assertThat(watcher.poll()).isEmpty();
        }
    }

    @Test
    void startedWatchersPollOnTheirOwnUntilClosed() throws Exception {
        Versioned provider = new Versioned();
        List<RotationWatcher.Rotation> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        try (RotationWatcher watcher = new RotationWatcher(REGISTRY, provider, Duration.ofMillis(50), seen::add)) {
            watcher.start();
            Thread.sleep(200);
            provider.versions.put("secret/data/shared", 8);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
        assertThat(seen).containsExactly(new RotationWatcher.Rotation("web", "secret/data/shared", "7", "8"));
    }
}

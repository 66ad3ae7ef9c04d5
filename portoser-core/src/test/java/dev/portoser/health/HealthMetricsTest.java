package dev.portoser.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.deploy.Deployers;
import dev.portoser.registry.Registry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Micrometer meters follow the monitor's states and checks. */
class HealthMetricsTest {
    @Test
    void theStateGaugeAndTheLatencyTimerFollowTheChecks() throws Exception {
        try (HealthMonitorTest.Endpoint web = new HealthMonitorTest.Endpoint()) {
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            Registry registry = Registry.parse("machines:\n  here: {host: localhost, user: me, platform: linux}\n"
                    + "services:\n  web: {type: local, path: /srv/web, machine: here, command: ./web, port: "
                    + web.port() + ", health: {type: http, retries: 1}}\n");
            try (HealthMonitor m = HealthMonitor.builder(registry).deployers(Deployers.of())
                    .listener(new HealthMetrics(meters)).scheduling(false).start()) {
                m.checkNow("web").get(10, TimeUnit.SECONDS);
                HealthMonitorTest.await("healthy gauge", Duration.ofSeconds(5), () -> meters.find("portoser.health.healthy")
                        .tag("service", "web").gauge() != null && meters.get("portoser.health.healthy").gauge().value() == 1);
                web.status.put("/", 500);
                m.checkNow("web").get(10, TimeUnit.SECONDS);
                HealthMonitorTest.await("unhealthy state", Duration.ofSeconds(5), () -> meters.get("portoser.health.state")
                        .tag("service", "web").gauge().value() == HealthState.UNHEALTHY.ordinal());
                assertThat(meters.get("portoser.health.healthy").gauge().value()).isZero();
                HealthMonitorTest.await("both outcomes timed", Duration.ofSeconds(5), () ->
                        meters.find("portoser.health.check").tag("outcome", "unhealthy").timer() != null);
                assertThat(meters.get("portoser.health.check").tag("outcome", "healthy").timer().count()).isEqualTo(1);
                assertThat(meters.get("portoser.health.check").tag("outcome", "unhealthy").timer().count()).isEqualTo(1);
            }
        }
    }
}

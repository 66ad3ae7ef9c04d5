package dev.portoser.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portoser.health.HealthCheck;
import dev.portoser.health.HealthResult;
import dev.portoser.health.HealthStatus;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The health wait's poll: the cheap registry check alone while it fails, the remote one to confirm and now and then. */
class ConfirmedCheckTest {
    private long now;
    private final AtomicInteger ownCalls = new AtomicInteger();

    private HealthCheck answers(Deque<HealthResult> results, AtomicInteger calls) {
        return target -> {
            if (calls != null) {
                calls.incrementAndGet();
            }
            return results.size() > 1 ? results.poll() : results.peek();
        };
    }

    private static HealthResult of(HealthStatus status, String detail) {
        return new HealthResult(status, detail, Duration.ofMillis(1));
    }

    @Test
    void theRemoteCheckRunsOnlyToConfirmAndOnceASecondWhileTheServiceIsNotUpYet() {
        Deque<HealthResult> http = new ArrayDeque<>();
        for (int i = 0; i < 30; i++) {
            http.add(of(HealthStatus.UNHEALTHY, "connection refused"));
        }
        http.add(of(HealthStatus.HEALTHY, "200"));
        ConfirmedCheck check = new ConfirmedCheck(answers(http, null),
                answers(new ArrayDeque<>(java.util.List.of(of(HealthStatus.HEALTHY, "ours"))), ownCalls),
                Duration.ofSeconds(1), () -> now);
        HealthResult r = null;
        for (int poll = 0; poll < 31; poll++) {
            r = check.check(null);
            now += Duration.ofMillis(50).toNanos(); // 31 polls, 50 ms apart: 1.5 s
        }
        assertThat(r.status()).isEqualTo(HealthStatus.HEALTHY);
        assertThat(r.detail()).isEqualTo("ours; 200");
        assertThat(ownCalls.get()).isEqualTo(2); // at 1.0 s while refused, then to confirm
    }

    @Test
    void anInstanceThatDiedEndsTheWaitAtTheNextRemoteCheckEvenWhileTheRegistryCheckFails() {
        ConfirmedCheck check = new ConfirmedCheck(
                answers(new ArrayDeque<>(java.util.List.of(of(HealthStatus.UNHEALTHY, "connection refused"))), null),
                answers(new ArrayDeque<>(java.util.List.of(of(HealthStatus.DOWN, "web is not running: exit 1"))),
                        ownCalls), Duration.ofSeconds(1), () -> now);
        assertThat(check.check(null).status()).isEqualTo(HealthStatus.UNHEALTHY);
        now += Duration.ofMillis(999).toNanos();
        assertThat(check.check(null).detail()).isEqualTo("connection refused");
        now += Duration.ofMillis(1).toNanos();
        assertThat(check.check(null).status()).isEqualTo(HealthStatus.DOWN);
    }

    @Test
    void aServiceThatAnswersButIsNotOursIsNotHealthy() {
        ConfirmedCheck check = new ConfirmedCheck(
                answers(new ArrayDeque<>(java.util.List.of(of(HealthStatus.HEALTHY, "200"))), null),
                answers(new ArrayDeque<>(java.util.List.of(of(HealthStatus.DOWN, "port 8080 is held by PID 7"))),
                        ownCalls), Duration.ofSeconds(1), () -> now);
        HealthResult r = check.check(null);
        assertThat(r.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(r.detail()).contains("PID 7");
        assertThat(ownCalls.get()).isEqualTo(1);
    }
}

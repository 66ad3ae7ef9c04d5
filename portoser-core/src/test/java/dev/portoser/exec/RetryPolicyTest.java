package dev.portoser.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portoser.transport.AuthenticationException;
import dev.portoser.transport.ConnectionLostException;
import dev.portoser.transport.HostKeyVerificationException;
import dev.portoser.transport.TransportTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Retry delays grow exponentially with bounded jitter, and only transient failures are retried. */
class RetryPolicyTest {
    @RepeatedTest(20)
    void delaysGrowExponentiallyWithJitterAndACap() {
        RetryPolicy p = new RetryPolicy(6, Duration.ofSeconds(1), 2, Duration.ofSeconds(5), RetryPolicy.TRANSIENT);
        assertThat(p.delayBefore(2)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
        assertThat(p.delayBefore(3)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertThat(p.delayBefore(4)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
        assertThat(p.delayBefore(6)).isBetween(Duration.ofMillis(2500), Duration.ofSeconds(5));
    }

    @Test
    void onlyTransientTransportFailuresAreRetried() {
        assertThat(RetryPolicy.TRANSIENT).accepts(new ConnectionLostException("m", "lost", null),
                new TransportTimeoutException("m", "slow", null));
        assertThat(RetryPolicy.TRANSIENT).rejects(new AuthenticationException("m", "no", null),
                new HostKeyVerificationException("m", "changed", null), new IllegalStateException("bug"));
    }

    @Test
    void policiesAreChecked() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, 2, Duration.ZERO, e -> true))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAttempts must be >= 1, was 0");
        assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
    }
}

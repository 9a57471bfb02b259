package dev.projections.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link Retry#until}: waiting for what another process gives up, such as a lock. */
class RetryTest {

    @Test
    void givenACheckThatTurnsTrueOnItsThirdAsking_whenWaitedFor_thenItIsAskedThreeTimesAndTheWaitSucceeds() throws Exception {
        AtomicInteger asked = new AtomicInteger();

        boolean answered = Retry.until(Duration.ofSeconds(10), Duration.ofMillis(1), () -> asked.incrementAndGet() == 3);

        assertThat(answered).isTrue();
        assertThat(asked).hasValue(3);
    }

    @Test
    void givenACheckThatStaysFalse_whenItsPatienceRunsOut_thenTheWaitAnswersFalseAfterAskingMoreThanOnce() throws Exception {
        AtomicInteger asked = new AtomicInteger();

        boolean answered = Retry.until(Duration.ofMillis(100), Duration.ofMillis(10), () -> asked.incrementAndGet() < 0);

        assertThat(answered).isFalse();
        assertThat(asked.get()).isGreaterThan(1);
    }

    @Test
    void givenAPatienceNoLongerThanThePause_whenWaitedFor_thenTheCheckIsAskedOnce() throws Exception {
        AtomicInteger asked = new AtomicInteger();

        assertThat(Retry.until(Duration.ZERO, Duration.ofMillis(20), () -> asked.incrementAndGet() < 0)).isFalse();
        assertThat(asked).hasValue(1);
    }

    @Test
    void givenACheckThatFails_whenWaitedFor_thenItsFailureIsThrownAsItWas() {
        SQLException refused = new SQLException("permission denied", "42501");

        assertThatThrownBy(() -> Retry.until(Duration.ofSeconds(10), Duration.ofMillis(1), () -> {
            throw refused;
        })).isSameAs(refused);
    }
}

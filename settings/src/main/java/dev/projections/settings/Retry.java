package dev.projections.settings;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import dev.failsafe.function.CheckedSupplier;
import java.sql.SQLException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way the pipeline waits for what may come back (a database restarting, a broker away): an
 * exponential backoff, as a Failsafe {@link RetryPolicy}, each retry logged with what failed and the pause.
 * A caller says which failures it retries and how long it waits in all.
 */
public final class Retry {

    private static final Logger LOG = LoggerFactory.getLogger(Retry.class);

    private Retry() {
    }

    /**
     * Pauses from {@code first}, doubling up to {@code longest}, for {@code patience} in all (unbounded when
     * null); the caller adds which failures it retries ({@code handleIf}) and builds it.
     *
     * @param what what is retried, for the log: "projector document: applying a batch"
     */
    public static <T> RetryPolicyBuilder<T> backoff(String what, Duration first, Duration longest, Duration patience) {
        RetryPolicyBuilder<T> builder = RetryPolicy.<T>builder()
                .withBackoff(first, longest)
                .withMaxRetries(-1)
                .onRetryScheduled(event -> LOG.warn("{} failed ({}); trying again in {} ms", what,
                        event.getLastException() == null ? "not yet" : Causes.describe(event.getLastException()), event.getDelay().toMillis()));
        return patience == null ? builder : builder.withMaxDuration(patience);
    }

    /**
     * Asks {@code check} again every {@code pause} until it answers true or {@code patience} has passed (it
     * is asked at least once, and only once when {@code patience} is no longer than {@code pause}): a wait
     * for something another process gives up, which is no failure, so it logs nothing. A failure of
     * {@code check} ends the wait, thrown as it was.
     *
     * @return whether {@code check} answered true in time
     */
    public static <E extends Exception> boolean until(Duration patience, Duration pause, Work<Boolean, E> check)
            throws E, InterruptedException {
        if (patience.compareTo(pause) <= 0) {
            return check.get();
        }
        // a false answer is asked again; a failure is not
        return get(RetryPolicy.<Boolean>builder().handleIf((answer, failure) -> failure == null && !answer).withDelay(pause)
                .withMaxRetries(-1).withMaxDuration(patience).build(), check);
    }

    /** A database that may come back: a transient {@link SQLException} ({@link SqlFailures#isTransient}) anywhere in the chain. */
    public static boolean databaseAway(Throwable failure) {
        return Causes.find(failure, SQLException.class).map(SqlFailures::isTransient).orElse(false);
    }

    /**
     * Runs {@code work} under the policy and returns its result. The last failure is thrown as it was
     * (an interrupted wait as an {@link InterruptedException}), never wrapped.
     */
    @SuppressWarnings("unchecked")
    public static <T, E extends Exception> T get(RetryPolicy<T> policy, Work<T, E> work) throws E, InterruptedException {
        try {
            return Failsafe.with(policy).get((CheckedSupplier<T>) work::get);
        } catch (FailsafeException wrapped) {
            if (wrapped.getCause() instanceof InterruptedException interrupted) {
                Thread.interrupted();
                throw interrupted;
            }
            throw (E) wrapped.getCause();
        }
    }

    /** Work that may fail with {@code E}. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T get() throws E;
    }
}

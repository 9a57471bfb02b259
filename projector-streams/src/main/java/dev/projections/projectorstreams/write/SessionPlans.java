package dev.projections.projectorstreams.write;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.postgresql.PGConnection;

/**
 * Has each database session plan its statements again every {@link #KEPT}. PostgreSQL keeps a session's
 * plan of a statement it runs often, the foreign-key checks of a read model's child tables among them
 * (a document's contents must have their document). One planned while the parent table's statistics
 * said it was empty, as an ANALYZE leaves them when it runs right after a rebuild emptied the table,
 * scans the whole table for each row and goes on doing so as the table grows, until the next ANALYZE of
 * it: a rebuild slowing down batch by batch for a minute or more. Plans kept for {@link #KEPT} at most
 * bound that to seconds, for the price of planning a projector's few statements once more every
 * {@link #KEPT} per session.
 */
final class SessionPlans {

    static final Duration KEPT = Duration.ofSeconds(5);

    private final long keptNanos;
    /** When each session (the driver's connection under the pool's) last planned anew, or was first seen. */
    private final Map<Object, Long> planned = Collections.synchronizedMap(new WeakHashMap<>());

    SessionPlans(Duration kept) {
        this.keptNanos = kept.toNanos();
    }

    /** Outside a transaction: discards the session's plans once it has kept them for long enough. */
    void renewIfDue(Connection connection) throws SQLException {
        Object session = connection.isWrapperFor(PGConnection.class) ? connection.unwrap(PGConnection.class) : connection;
        long now = System.nanoTime();
        Long since = planned.putIfAbsent(session, now);
        if (since != null && now - since >= keptNanos) {
            renew(connection);
            planned.put(session, now);
        }
    }

    /** Every statement of the session, prepared or a foreign-key check, is planned again at its next run. */
    static void renew(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("DISCARD PLANS");
        }
    }
}

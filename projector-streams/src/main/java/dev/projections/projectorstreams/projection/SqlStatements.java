package dev.projections.projectorstreams.projection;

import dev.projections.eventcatalogue.EventEnvelope;
import java.sql.Timestamp;

/** What several projections write alike. */
public final class SqlStatements {

    private SqlStatements() {
    }

    /**
     * An event a read model does not use still moves its main row to the event's version, so that a
     * caught-up row's version is its aggregate's last.
     *
     * @param table the read model's main table, with {@code id} and {@code version}
     */
    public static void advanceVersion(Statements statements, String table, EventEnvelope event) {
        statements.add("UPDATE " + table + " SET version = ? WHERE id = ? AND version < ?",
                event.eventVersion(), event.aggregateId(), event.eventVersion());
    }

    /** The event's time, the only clock a read model uses, so that a rebuild is byte-identical. */
    public static Timestamp occurredAt(EventEnvelope event) {
        return Timestamp.from(event.occurredAt());
    }
}

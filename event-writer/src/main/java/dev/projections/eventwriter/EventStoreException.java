package dev.projections.eventwriter;

import dev.projections.settings.SqlFailures;
import java.sql.SQLException;

/** The event store could not be read or written (the database is down, refused the statement, ...). */
public final class EventStoreException extends RuntimeException {

    public EventStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether the database was away or busy (a lost connection, a restart, a deadlock), so that the same
     * request may succeed later; otherwise it refused the statement itself (a missing right, a schema that
     * is not the one expected), and retrying changes nothing until an operator acts.
     */
    public boolean transientFailure() {
        return !(getCause() instanceof SQLException sql) || SqlFailures.isTransient(sql);
    }

    /** The SQL state of the database's refusal, when it gave one. */
    public String sqlState() {
        return getCause() instanceof SQLException sql ? sql.getSQLState() : null;
    }
}

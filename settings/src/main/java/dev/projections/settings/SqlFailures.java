package dev.projections.settings;

import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.SQLRecoverableException;

/** Sorts database errors into those an event causes, and those of the database itself. */
public final class SqlFailures {

    private SqlFailures() {
    }

    /**
     * Data exceptions (class 22), integrity violations (class 23) and limits a value exceeds, such as an
     * index row too large (class 54): retrying the event cannot help.
     */
    public static boolean isCausedByData(SQLException e) {
        // a refused batch names the statement that failed as its next exception
        String state = e.getSQLState() == null && e.getNextException() != null ? e.getNextException().getSQLState() : e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23") || state.startsWith("54"));
    }

    /**
     * Connection failures (08), rollbacks such as serialization failures and deadlocks (40), lack of
     * resources (53), an operator's intervention such as a restart (57) and system errors (58): a retry
     * may succeed once the database is back.
     */
    public static boolean isTransient(SQLException e) {
        if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
            return true;
        }
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("40") || state.startsWith("53")
                || state.startsWith("57") || state.startsWith("58");
    }
}

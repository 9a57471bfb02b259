package dev.projections.eventwriter;

/** The event store could not be read or written (the database is down, refused the statement, ...). */
public final class EventStoreException extends RuntimeException {

    public EventStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}

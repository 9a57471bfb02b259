package dev.projections.projectorstreams.write;

/**
 * The read model could not be written for a reason that may pass (the database restarting, a lost
 * connection). The stream thread is replaced and its tasks read again from their last committed offsets.
 */
public final class RetryableProjectionException extends RuntimeException {

    public RetryableProjectionException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.projections.projectorstreams.write;

/** The read model cannot be written for a reason no retry fixes (a missing table, a refused login). */
public final class ProjectionFailedException extends RuntimeException {

    public ProjectionFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}

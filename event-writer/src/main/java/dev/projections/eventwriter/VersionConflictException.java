package dev.projections.eventwriter;

import java.util.UUID;

/** The aggregate is not at the version the caller expected: someone else appended first. */
public final class VersionConflictException extends RuntimeException {

    private final UUID aggregateId;
    private final int expectedVersion;
    private final int currentVersion;

    public VersionConflictException(UUID aggregateId, int expectedVersion, int currentVersion) {
        super("aggregate " + aggregateId + " is at version " + currentVersion + ", not the expected " + expectedVersion);
        this.aggregateId = aggregateId;
        this.expectedVersion = expectedVersion;
        this.currentVersion = currentVersion;
    }

    public UUID aggregateId() {
        return aggregateId;
    }

    public int expectedVersion() {
        return expectedVersion;
    }

    public int currentVersion() {
        return currentVersion;
    }
}

package dev.projections.eventwriter;

import java.util.List;
import java.util.UUID;

/** What an append wrote: the aggregate's new version and each event's id, version and sequence. */
public record AppendResult(String aggregateType, UUID aggregateId, int version, List<Appended> events) {

    public record Appended(UUID eventId, int eventVersion, long sequence) {
    }
}

package dev.projections.projectorstreams.write;

/** Where a record was read: what an operator needs to find it again. */
public record RecordOrigin(String topic, int partition, long offset) {
}

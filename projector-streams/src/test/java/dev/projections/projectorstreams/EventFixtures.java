package dev.projections.projectorstreams;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/** Builds the events of one aggregate in order, as the relay would deliver them. */
public final class EventFixtures {

    /** A small document's upload and its conversion, for tests that need documents, not particular ones. */
    public static final String UPLOADED = """
            {"title": "Pump manual", "filename": "pump.pdf", "contentType": "application/pdf", "sizeBytes": 2048, "uploadedBy": "dave"}""";
    public static final String CONVERTED = """
            {"markdownContent": "# Pump", "sections": [{"heading": "Pump", "level": 1, "content": "Intro"}]}""";

    private static final AtomicLong SEQUENCE = new AtomicLong(1_000_000);
    private static final Instant START = Instant.parse("2026-03-01T09:00:00.123456Z");

    private final String aggregateType;
    private final UUID aggregateId;
    private int version;

    public EventFixtures(String aggregateType, UUID aggregateId) {
        this.aggregateType = aggregateType;
        this.aggregateId = aggregateId;
    }

    public static EventFixtures document() {
        return new EventFixtures("document", UUID.randomUUID());
    }

    public UUID aggregateId() {
        return aggregateId;
    }

    /** The next event of the aggregate; its time is derived from its version, so tests are repeatable. */
    public EventEnvelope next(String eventType, String payloadJson) {
        version++;
        ObjectNode metadata = EventJson.MAPPER.createObjectNode().put(EventEnvelope.CORRELATION_ID, "test-" + version);
        return new EventEnvelope(UUID.randomUUID(), SEQUENCE.incrementAndGet(), aggregateId, aggregateType, eventType, version,
                START.plusSeconds(version * 60L), EventJson.tree(payloadJson), metadata);
    }
}

package dev.projections.cdcrelay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventcatalogue.EventTopics;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.ChangeEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes each batch of event rows to its topic and hands the batch back to Debezium only once Kafka
 * has acknowledged every record of it: the offsets (and so the replication slot) never move past an
 * event that is not safely in Kafka. A crash may send a batch twice, never lose one.
 */
final class EventPublisher implements DebeziumEngine.ChangeConsumer<ChangeEvent<SourceRecord, SourceRecord>> {

    private static final Logger LOG = LoggerFactory.getLogger(EventPublisher.class);
    static final String EVENTS_TOPIC = "pipeline.eventstore.events";

    private final Producer<String, byte[]> producer;
    private final EventTopicSetup topics;
    private final AtomicLong lastSequence = new AtomicLong(-1);
    private final AtomicLong published = new AtomicLong();

    EventPublisher(Producer<String, byte[]> producer, EventTopicSetup topics) {
        this.producer = producer;
        this.topics = topics;
    }

    @Override
    public void handleBatch(List<ChangeEvent<SourceRecord, SourceRecord>> records,
            DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer) throws InterruptedException {
        List<EventEnvelope> events = new ArrayList<>(records.size());
        for (ChangeEvent<SourceRecord, SourceRecord> record : records) {
            SourceRecord source = record.value();
            // heartbeats and tombstones carry no event; they are only marked processed below
            if (EVENTS_TOPIC.equals(source.topic()) && source.value() instanceof Struct row) {
                events.add(toEnvelope(row));
            }
        }
        topics.ensure(events.stream().map(EventEnvelope::aggregateType).collect(java.util.stream.Collectors.toSet()));
        List<Future<RecordMetadata>> acks = new ArrayList<>(events.size());
        for (EventEnvelope event : events) {
            acks.add(producer.send(toRecord(event)));
        }
        for (int i = 0; i < acks.size(); i++) {
            try {
                acks.get(i).get();
            } catch (ExecutionException e) {
                EventEnvelope event = events.get(i);
                // Debezium stops without committing this batch; the relay restarts from the last commit
                throw new RelayPublishException("Kafka did not acknowledge event " + event.sequence() + " ("
                        + event.eventType() + " of " + event.aggregateId() + "): " + e.getCause().getMessage(), e.getCause());
            }
        }
        for (ChangeEvent<SourceRecord, SourceRecord> record : records) {
            committer.markProcessed(record);
        }
        committer.markBatchFinished();
        if (!events.isEmpty()) {
            lastSequence.set(events.get(events.size() - 1).sequence());
            published.addAndGet(events.size());
            LOG.debug("published {} events up to sequence {}", events.size(), lastSequence.get());
        }
    }

    static ProducerRecord<String, byte[]> toRecord(EventEnvelope event) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(event.topic(), event.aggregateId().toString(), EventJson.toBytes(event));
        EventTopics.writeHeaders(record.headers(), event);
        return record;
    }

    static EventEnvelope toEnvelope(Struct row) {
        return new EventEnvelope(
                UUID.fromString(row.getString("id")),
                row.getInt64("sequence"),
                UUID.fromString(row.getString("aggregate_id")),
                row.getString("aggregate_type"),
                row.getString("event_type"),
                row.getInt32("event_version"),
                Instant.parse(row.getString("created_at")),
                EventJson.tree(row.getString("payload")),
                (ObjectNode) EventJson.tree(row.getString("metadata")));
    }

    void continueFrom(EventPublisher previous) {
        lastSequence.set(previous.lastSequence());
        published.set(previous.published());
    }

    long lastSequence() {
        return lastSequence.get();
    }

    long published() {
        return published.get();
    }

}

package dev.projections.cdcrelay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventcatalogue.EventTopics;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Publishes each batch of event rows to its topic and hands the batch back to Debezium only once Kafka
 * has acknowledged every record of it: the offsets (and so the replication slot) never move past an
 * event that is not safely in Kafka. A crash may send a batch twice, never lose one. At the first record
 * Kafka refuses, the producer is closed at once, so that the batch's later records are not written after
 * a hole; the relay then restarts and sends again from its last acknowledged event.
 */
final class EventPublisher implements DebeziumEngine.ChangeConsumer<ChangeEvent<SourceRecord, SourceRecord>> {

    private static final Logger LOG = LoggerFactory.getLogger(EventPublisher.class);
    /** The end of Debezium's topic of the events table, after its {@code topic.prefix}: {@code pipeline.eventstore.events} with one shard. */
    private static final String EVENTS_TABLE = ".eventstore.events";
    private static final String AFTER = "after";

    private final Producer<String, byte[]> producer;
    private final Consumer<Set<String>> topics;
    private final RelayMetrics metrics;

    /** @param topics creates the topics of the aggregate types given, if missing */
    EventPublisher(Producer<String, byte[]> producer, Consumer<Set<String>> topics, RelayMetrics metrics) {
        this.producer = producer;
        this.topics = topics;
        this.metrics = metrics;
    }

    @Override
    public void handleBatch(List<ChangeEvent<SourceRecord, SourceRecord>> records,
            DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer) throws InterruptedException {
        long started = System.nanoTime();
        List<EventEnvelope> events = new ArrayList<>(records.size());
        for (ChangeEvent<SourceRecord, SourceRecord> record : records) {
            SourceRecord source = record.value();
            // heartbeats carry no event; they are only marked processed below. An insert's new row is the
            // change event's "after", read here rather than by a transform that would copy every record first
            if (source.topic().endsWith(EVENTS_TABLE) && source.value() instanceof Struct change && change.get(AFTER) instanceof Struct row) {
                events.add(toEnvelope(row));
            }
        }
        topics.accept(events.stream().map(EventEnvelope::aggregateType).collect(Collectors.toSet()));
        List<Future<RecordMetadata>> acks = new ArrayList<>(events.size());
        AtomicBoolean failed = new AtomicBoolean();
        for (EventEnvelope event : events) {
            acks.add(producer.send(EventTopics.record(event), (metadata, error) -> {
                if (error != null && failed.compareAndSet(false, true)) {
                    // nothing after a failed record may reach Kafka before it: the records not sent yet are
                    // dropped at once, and the relay sends the batch again from its last acknowledged offset
                    // (a record already in flight may still land; projectors hold it back as a version gap)
                    producer.close(Duration.ZERO);
                }
            }));
            if (failed.get()) {
                break;
            }
        }
        // the batch is complete: send what the producer holds now rather than after its linger
        flush();
        for (int i = 0; i < acks.size(); i++) {
            try {
                acks.get(i).get();
            } catch (ExecutionException e) {
                producer.close(Duration.ZERO);
                EventEnvelope event = events.get(i);
                event.correlationId().ifPresent(id -> MDC.put("correlation_id", id));
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
            long last = events.get(events.size() - 1).sequence();
            metrics.published(events.stream().mapToLong(event -> event.occurredAt().toEpochMilli()).toArray(), last, System.nanoTime() - started);
            LOG.debug("published {} events up to sequence {}", events.size(), last);
        }
    }

    private void flush() throws InterruptedException {
        try {
            producer.flush();
        } catch (IllegalStateException closed) {
            // closed by a failed record's callback: the acknowledgements below name the failure
        } catch (InterruptException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedException(e.getMessage());
        }
    }

    static EventEnvelope toEnvelope(Struct row) {
        return new EventEnvelope(
                UUID.fromString(row.getString("id")),
                row.getInt64("sequence"),
                UUID.fromString(row.getString("aggregate_id")),
                row.getString("aggregate_type"),
                row.getString("event_type"),
                row.getInt32("event_version"),
                CommitTimeConverter.instant(row.getInt64("created_at")),
                // passed on as stored: parsing it only to write it again would cost the relay a third of its time
                EventJson.raw(row.getString("payload")),
                (ObjectNode) EventJson.tree(row.getString("metadata")));
    }
}

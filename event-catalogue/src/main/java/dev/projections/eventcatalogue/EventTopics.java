package dev.projections.eventcatalogue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The public topics: one per aggregate type, {@code events.<aggregate_type>}, keyed by the aggregate id
 * as a string, valued by the JSON {@link EventEnvelope}, with the headers named here.
 */
public final class EventTopics {

    public static final String PREFIX = "events.";
    public static final String HEADER_EVENT_TYPE = "event_type";
    public static final String HEADER_SEQUENCE = "sequence";
    public static final String HEADER_CORRELATION_ID = "correlation_id";

    /** Aggregate type names are lower-case words, so that every one is a legal topic name. */
    public static final Pattern AGGREGATE_TYPE = Pattern.compile("[a-z][a-z0-9_-]{0,99}");

    private EventTopics() {
    }

    /** A topic with the serdes of its key and value: how every topic of the pipeline is named and read. */
    public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
    }

    /** The topic of an aggregate type's events: keyed by the aggregate id as a string, valued by the envelope's JSON bytes. */
    public static Topic<String, byte[]> forAggregateType(String aggregateType) {
        if (!AGGREGATE_TYPE.matcher(aggregateType).matches()) {
            throw new IllegalArgumentException("aggregate type '" + aggregateType + "' must match " + AGGREGATE_TYPE);
        }
        return new Topic<>(PREFIX + aggregateType, Serdes.String(), Serdes.ByteArray());
    }

    public static List<Topic<String, byte[]>> forAggregateTypes(List<String> aggregateTypes) {
        return aggregateTypes.stream().map(EventTopics::forAggregateType).toList();
    }

    /**
     * The record of an event on its topic, as the relay and a re-publication write it: keyed by the aggregate
     * id, valued by the envelope's JSON, with the headers below, timestamped with the event's time (so that
     * consumers, and {@code replay --to-datetime}, see event time).
     */
    public static ProducerRecord<String, byte[]> record(EventEnvelope event) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(event.topic(), null, event.occurredAt().toEpochMilli(),
                event.aggregateId().toString(), EventJson.toBytes(event));
        writeHeaders(record.headers(), event);
        return record;
    }

    private static void writeHeaders(Headers headers, EventEnvelope event) {
        headers.add(HEADER_EVENT_TYPE, event.eventType().getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_SEQUENCE, Long.toString(event.sequence()).getBytes(StandardCharsets.UTF_8));
        event.correlationId().ifPresent(id -> headers.add(HEADER_CORRELATION_ID, id.getBytes(StandardCharsets.UTF_8)));
    }
}

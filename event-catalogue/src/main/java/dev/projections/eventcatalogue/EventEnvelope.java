package dev.projections.eventcatalogue;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One stored event as it travels on the {@code events.<aggregate_type>} topics: the public envelope
 * {@code {eventId, sequence, aggregateId, aggregateType, eventType, eventVersion, occurredAt, payload,
 * metadata}}. The same value is what the writer's library returns when it loads events.
 *
 * <p>An envelope read from a record ({@link EventJson#envelope}) keeps its payload as the record's JSON text
 * until asked for: {@link #payload()} parses it into a tree then, and {@link EventJson#payload} maps the text
 * onto an event record without a tree in between. A projector that does not read a payload never parses it.
 * Equal envelopes have equal fields, as a record's would.
 */
@JsonAutoDetect(fieldVisibility = Visibility.NONE, getterVisibility = Visibility.NONE, isGetterVisibility = Visibility.NONE)
@JsonPropertyOrder({"eventId", "sequence", "aggregateId", "aggregateType", "eventType", "eventVersion", "occurredAt", "payload", "metadata"})
public final class EventEnvelope {

    public static final String CORRELATION_ID = "correlation_id";
    public static final String CAUSATION_ID = "causation_id";
    public static final String USER_ID = "user_id";

    private final UUID eventId;
    private final long sequence;
    private final UUID aggregateId;
    private final String aggregateType;
    private final String eventType;
    private final int eventVersion;
    private final Instant occurredAt;
    private final ObjectNode metadata;
    /** The JSON text the payload was read from, {@code source[payloadStart, payloadEnd)}; null when built from a tree. */
    private final byte[] source;
    private final int payloadStart;
    private final int payloadEnd;
    private volatile JsonNode payload;
    /** The payload last mapped from the text, and onto what: a fold asks for what its apply asked for before. */
    private volatile Mapped mapped;

    private record Mapped(Class<?> type, Object value) {
    }

    @JsonCreator
    public EventEnvelope(
            @JsonProperty("eventId") UUID eventId,
            @JsonProperty("sequence") long sequence,
            @JsonProperty("aggregateId") UUID aggregateId,
            @JsonProperty("aggregateType") String aggregateType,
            @JsonProperty("eventType") String eventType,
            @JsonProperty("eventVersion") int eventVersion,
            @JsonProperty("occurredAt") Instant occurredAt,
            @JsonProperty("payload") JsonNode payload,
            @JsonProperty("metadata") ObjectNode metadata) {
        this(eventId, sequence, aggregateId, aggregateType, eventType, eventVersion, occurredAt,
                payload == null ? JsonNodeFactory.instance.objectNode() : payload, metadata, null, 0, 0);
    }

    private EventEnvelope(UUID eventId, long sequence, UUID aggregateId, String aggregateType, String eventType, int eventVersion,
            Instant occurredAt, JsonNode payload, ObjectNode metadata, byte[] source, int payloadStart, int payloadEnd) {
        this.eventId = Objects.requireNonNull(eventId, "eventId");
        this.sequence = sequence;
        this.aggregateId = Objects.requireNonNull(aggregateId, "aggregateId");
        this.aggregateType = Objects.requireNonNull(aggregateType, "aggregateType");
        this.eventType = Objects.requireNonNull(eventType, "eventType");
        this.eventVersion = eventVersion;
        this.occurredAt = Objects.requireNonNull(occurredAt, "occurredAt");
        this.payload = payload;
        this.metadata = metadata == null ? JsonNodeFactory.instance.objectNode() : metadata;
        this.source = source;
        this.payloadStart = payloadStart;
        this.payloadEnd = payloadEnd;
    }

    /** An envelope whose payload is the JSON value at {@code source[start, end)}, parsed when first asked for. */
    static EventEnvelope withPayloadText(UUID eventId, long sequence, UUID aggregateId, String aggregateType, String eventType,
            int eventVersion, Instant occurredAt, byte[] source, int start, int end, ObjectNode metadata) {
        return new EventEnvelope(eventId, sequence, aggregateId, aggregateType, eventType, eventVersion, occurredAt, null, metadata,
                source, start, end);
    }

    @JsonProperty
    public UUID eventId() {
        return eventId;
    }

    @JsonProperty
    public long sequence() {
        return sequence;
    }

    @JsonProperty
    public UUID aggregateId() {
        return aggregateId;
    }

    @JsonProperty
    public String aggregateType() {
        return aggregateType;
    }

    @JsonProperty
    public String eventType() {
        return eventType;
    }

    @JsonProperty
    public int eventVersion() {
        return eventVersion;
    }

    @JsonProperty
    public Instant occurredAt() {
        return occurredAt;
    }

    /** The payload as a tree: the same tree on every call, which a caller may change as a record's. */
    @JsonProperty
    public JsonNode payload() {
        JsonNode tree = payload;
        if (tree == null) {
            synchronized (this) {
                tree = payload;
                if (tree == null) {
                    try {
                        tree = EventJson.MAPPER.readTree(source, payloadStart, payloadEnd - payloadStart);
                    } catch (IOException e) {
                        throw new UncheckedIOException(eventType + " payload is not JSON: " + e.getMessage(), e);
                    }
                    payload = tree;
                    // a caller may change the tree: mappings are taken from it from now on
                    mapped = null;
                }
            }
        }
        return tree;
    }

    @JsonProperty
    public ObjectNode metadata() {
        return metadata;
    }

    /**
     * The payload mapped onto {@code type}: from its text while no tree was asked for, else from the tree.
     * Asked twice for the same type, the text gives the same value twice.
     */
    <T> T payloadAs(ObjectMapper mapper, Class<T> type) throws JsonProcessingException {
        if (payload != null || source == null) {
            return mapper.treeToValue(payload(), type);
        }
        Mapped known = mapped;
        if (known != null && known.type() == type) {
            return type.cast(known.value());
        }
        try {
            T value = mapper.readValue(source, payloadStart, payloadEnd - payloadStart, type);
            mapped = new Mapped(type, value);
            return value;
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<String> correlationId() {
        JsonNode value = metadata.get(CORRELATION_ID);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    public String topic() {
        return EventTopics.forAggregateType(aggregateType).name();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EventEnvelope that && eventId.equals(that.eventId) && sequence == that.sequence
                && aggregateId.equals(that.aggregateId) && aggregateType.equals(that.aggregateType) && eventType.equals(that.eventType)
                && eventVersion == that.eventVersion && occurredAt.equals(that.occurredAt) && payload().equals(that.payload())
                && metadata.equals(that.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, sequence, aggregateId, aggregateType, eventType, eventVersion, occurredAt, payload(), metadata);
    }

    @Override
    public String toString() {
        return "EventEnvelope[eventId=" + eventId + ", sequence=" + sequence + ", aggregateId=" + aggregateId + ", aggregateType="
                + aggregateType + ", eventType=" + eventType + ", eventVersion=" + eventVersion + ", occurredAt=" + occurredAt
                + ", payload=" + payload() + ", metadata=" + metadata + "]";
    }
}

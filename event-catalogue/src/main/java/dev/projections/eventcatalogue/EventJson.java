package dev.projections.eventcatalogue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;

/** The one JSON mapping of the project: envelopes, payloads and HTTP bodies. */
public final class EventJson {

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            // payloads may grow optional fields (the catalogue's compatibility rule): readers ignore them
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private EventJson() {
    }

    public static byte[] toBytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON of " + value.getClass().getSimpleName(), e);
        }
    }

    public static String toText(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON of " + value.getClass().getSimpleName(), e);
        }
    }

    /**
     * Reads a record's envelope in one pass over its bytes. The payload is only checked for well-formed
     * JSON and kept as text: see {@link EventEnvelope}. Fields not known are skipped, as a newer writer may
     * add them.
     */
    public static EventEnvelope envelope(byte[] json) {
        try (JsonParser parser = MAPPER.createParser(json)) {
            return readEnvelope(parser, json);
        } catch (IOException e) {
            throw new UncheckedIOException("not an event envelope: " + e.getMessage(), e);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new UncheckedIOException("not an event envelope: " + e.getMessage(), new IOException(e));
        }
    }

    private static EventEnvelope readEnvelope(JsonParser parser, byte[] json) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException("an envelope is a JSON object, not " + parser.currentToken());
        }
        UUID eventId = null;
        UUID aggregateId = null;
        long sequence = 0;
        String aggregateType = null;
        String eventType = null;
        int eventVersion = 0;
        Instant occurredAt = null;
        int payloadStart = -1;
        int payloadEnd = -1;
        JsonNode payload = null;
        ObjectNode metadata = null;
        for (String field = parser.nextFieldName(); field != null; field = parser.nextFieldName()) {
            JsonToken value = parser.nextToken();
            switch (field) {
                case "eventId" -> eventId = uuid(text(parser, field));
                case "sequence" -> sequence = wholeNumber(parser, field);
                case "aggregateId" -> aggregateId = uuid(text(parser, field));
                case "aggregateType" -> aggregateType = text(parser, field);
                case "eventType" -> eventType = text(parser, field);
                case "eventVersion" -> eventVersion = Math.toIntExact(wholeNumber(parser, field));
                case "occurredAt" -> occurredAt = occurredAt(text(parser, field));
                case "payload" -> {
                    if (value.isStructStart()) {
                        payloadStart = (int) parser.currentTokenLocation().getByteOffset();
                        parser.skipChildren();
                        payloadEnd = (int) parser.currentLocation().getByteOffset();
                        payload = null;
                    } else {
                        payloadEnd = -1;
                        payload = value == JsonToken.VALUE_NULL ? null : MAPPER.readTree(parser);
                    }
                }
                case "metadata" -> {
                    if (value != JsonToken.VALUE_NULL && value != JsonToken.START_OBJECT) {
                        throw new IllegalArgumentException("metadata is a JSON object, not " + value);
                    }
                    metadata = value == JsonToken.VALUE_NULL ? null : MAPPER.readTree(parser);
                }
                default -> parser.skipChildren();
            }
        }
        required(eventId, "eventId");
        required(aggregateId, "aggregateId");
        required(aggregateType, "aggregateType");
        required(eventType, "eventType");
        required(occurredAt, "occurredAt");
        if (payloadEnd < 0) {
            return new EventEnvelope(eventId, sequence, aggregateId, aggregateType, eventType, eventVersion, occurredAt, payload, metadata);
        }
        return EventEnvelope.withPayloadText(eventId, sequence, aggregateId, aggregateType, eventType, eventVersion, occurredAt,
                json, payloadStart, payloadEnd, metadata);
    }

    private static void required(Object value, String field) {
        if (value == null) {
            throw new IllegalArgumentException(field + " is missing");
        }
    }

    private static long wholeNumber(JsonParser parser, String field) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw new IllegalArgumentException(field + " is a whole number, not " + parser.currentToken());
        }
        return parser.getLongValue();
    }

    private static UUID uuid(String text) {
        return text == null ? null : UUID.fromString(text);
    }

    private static String text(JsonParser parser, String field) throws IOException {
        if (parser.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException(field + " is a JSON string, not " + parser.currentToken());
        }
        return parser.getText();
    }

    private static Instant occurredAt(String text) {
        try {
            return text == null ? null : instant(text);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("occurredAt is not an instant: " + text, e);
        }
    }

    /** {@link Instant#parse}, quicker for the form envelopes and the event store's timestamps are written in. */
    public static Instant instant(String text) {
        Instant instant = utcInstant(text);
        return instant != null ? instant : Instant.parse(text);
    }

    /**
     * The instant of {@code yyyy-MM-ddTHH:mm:ss[.fraction]Z}, the form envelopes are written in, read without
     * {@link Instant#parse}'s formatter, which costs a projector more than the rest of the envelope's fields
     * together; null for any other form, which {@code Instant.parse} reads.
     */
    static Instant utcInstant(String text) {
        int length = text.length();
        if (length < 20 || length > 30 || length == 21 || text.charAt(length - 1) != 'Z' || text.charAt(4) != '-' || text.charAt(7) != '-'
                || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':' || length > 20 && text.charAt(19) != '.') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        int fraction = length > 20 ? digits(text, 20, length - 1) : 0;
        if ((year | month | day | hour | minute | second | fraction) < 0 || hour > 23 || minute > 59 || second > 59) {
            return null;
        }
        for (int scale = length - 21; scale < 9 && length > 20; scale++) {
            fraction *= 10;
        }
        long days = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, fraction);
    }

    /** The number the decimal digits {@code text[from, to)} make, or -1 if any is not a digit. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            int digit = text.charAt(i) - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    public static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + e.getMessage(), e);
        }
    }

    /**
     * JSON text kept as it is and written out as it is, unparsed: for a payload only passed on, as the
     * relay passes the event store's on to Kafka. The text must be valid JSON.
     */
    public static JsonNode raw(String json) {
        return JsonNodeFactory.instance.rawValueNode(new RawValue(json));
    }

    /**
     * Maps a payload onto its event record. Asked again for the same envelope and type, it may give the
     * same record, as a projection's {@code fold} asks for what its {@code apply} did: a caller does not change it.
     */
    public static <T> T payload(EventEnvelope event, Class<T> type) {
        try {
            return event.payloadAs(MAPPER, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    event.eventType() + " payload does not match " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }
}

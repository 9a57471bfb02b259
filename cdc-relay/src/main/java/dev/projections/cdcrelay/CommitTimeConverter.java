package dev.projections.cdcrelay;

import io.debezium.connector.postgresql.connection.DateTimeFormat;
import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Date;
import java.util.Properties;
import org.apache.kafka.connect.data.SchemaBuilder;

/**
 * {@code eventstore.events.created_at} in Debezium's change events as microseconds since the epoch, an
 * INT64, in place of the ISO text Debezium writes for a {@code timestamptz}: Debezium builds a date-time
 * formatter for every value it writes as text, a fifth of its decoding thread's time at one event a
 * transaction, and the relay would only read the text back. Registered as one of Debezium's
 * {@code converters}; every other column keeps Debezium's own conversion.
 */
public final class CommitTimeConverter implements CustomConverter<SchemaBuilder, RelationalColumn> {

    /** The column's name in Debezium's {@code converters} setting. */
    static final String NAME = "commit_time";
    private static final String COLUMN = "created_at";
    private static final String TABLE = "eventstore.events";

    @Override
    public void configure(Properties props) {
        // nothing to configure: the column is the event store's
    }

    @Override
    public void converterFor(RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
        if (COLUMN.equals(column.name()) && column.dataCollection() != null && column.dataCollection().endsWith(TABLE)) {
            registration.register(column.isOptional() ? SchemaBuilder.int64().optional() : SchemaBuilder.int64(),
                    value -> value == null ? null : micros(value));
        }
    }

    /**
     * The microseconds since the epoch of a {@code timestamptz} as Debezium hands it over: an
     * {@link OffsetDateTime} while streaming, PostgreSQL's text ({@code 2026-12-07 15:08:40.123456+00}) in a
     * snapshot, ISO text for the column's default, or a JDBC date.
     */
    static long micros(Object value) {
        Instant instant;
        if (value instanceof OffsetDateTime time) {
            instant = time.toInstant();
        } else if (value instanceof ZonedDateTime time) {
            instant = time.toInstant();
        } else if (value instanceof Instant time) {
            instant = time;
        } else if (value instanceof Date date) {
            instant = date.toInstant();
        } else if (value instanceof String text) {
            // ISO text is Debezium's own, for the column's default: now() has no value of its own, so the epoch
            instant = text.indexOf('T') > 0 ? OffsetDateTime.parse(text).toInstant()
                    : DateTimeFormat.get().timestampWithTimeZoneToOffsetDateTime(text).toInstant();
        } else {
            throw new IllegalArgumentException("created_at of eventstore.events came as a " + value.getClass().getName() + ": " + value);
        }
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    /** The instant of {@link #micros}'s microseconds. */
    static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
}

package dev.projections.cdcrelay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CommitTimeConverterTest {

    private static final Instant COMMITTED = Instant.parse("2026-12-07T15:08:40.123456Z");

    @Test
    void givenACommitTimeInEachFormDebeziumHandsOver_whenConverted_thenEachIsTheSameMicrosecondAndReadsBackAsTheSameInstant() {
        long micros = CommitTimeConverter.micros(COMMITTED);

        // streaming, a snapshot's PostgreSQL text in UTC and in another zone, the column default's ISO text, a JDBC date
        assertThat(CommitTimeConverter.micros(OffsetDateTime.ofInstant(COMMITTED, ZoneOffset.UTC))).isEqualTo(micros);
        assertThat(CommitTimeConverter.micros("2026-12-07 15:08:40.123456+00")).isEqualTo(micros);
        assertThat(CommitTimeConverter.micros("2026-12-07 20:38:40.123456+05:30")).isEqualTo(micros);
        assertThat(CommitTimeConverter.micros("2026-12-07T15:08:40.123456Z")).isEqualTo(micros);
        assertThat(CommitTimeConverter.micros(Timestamp.from(COMMITTED))).isEqualTo(micros);
        assertThat(CommitTimeConverter.instant(micros)).isEqualTo(COMMITTED);
        assertThat(CommitTimeConverter.instant(CommitTimeConverter.micros("1969-12-31 23:59:59.999999+00")))
                .isEqualTo(Instant.parse("1969-12-31T23:59:59.999999Z"));
    }

    @Test
    void givenAValueOfAnotherType_whenConverted_thenTheErrorNamesTheColumnAndTheType() {
        assertThatThrownBy(() -> CommitTimeConverter.micros(42))
                .hasMessage("created_at of eventstore.events came as a java.lang.Integer: 42");
    }
}

package dev.projections.projectorstreams.write;

import static dev.projections.projectorstreams.EventFixtures.CONVERTED;
import static dev.projections.projectorstreams.EventFixtures.UPLOADED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.projections.embeddedservices.SharedPostgres;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventcatalogue.EventTopics;
import dev.projections.migrations.Migrations;
import dev.projections.projectorstreams.EventFixtures;
import dev.projections.projectorstreams.document.DocumentProjection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The projector's real topology ({@link ProjectionTopology}) driven by {@link TopologyTestDriver}, its batches
 * committed into the embedded PostgreSQL as the projector's consumer commits them before offsets.
 */
class ProjectionTopologyIT {

    private static final EventTopics.Topic<String, byte[]> DOCUMENTS = EventTopics.forAggregateType("document");

    private final DataSource dataSource = SharedPostgres.get().dataSource();
    private PendingBatches batches;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> documents;
    private final List<UUID> aggregates = new ArrayList<>();

    @BeforeEach
    void start() {
        Migrations.migrate(dataSource);
        batches = new PendingBatches(new BatchTransaction(new DocumentProjection(), "document"), dataSource,
                new ProjectionMetrics("document", new SimpleMeterRegistry()), Duration.ofMillis(25));
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "projection-topology-it");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(ProjectionTopology.buildTopology(batches), properties);
        documents = driver.createInputTopic(DOCUMENTS.name(), DOCUMENTS.keySerde().serializer(), DOCUMENTS.valueSerde().serializer());
    }

    /**
     * The driver numbers each test's records from offset 0, as other tests' drivers do: the parked rows this test
     * left, keyed by their offsets, go, so that they cannot stand for another test's records.
     */
    @AfterEach
    void stop() throws SQLException {
        driver.close();
        try (Connection connection = dataSource.getConnection(); PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM readmodel.parked_events WHERE projection = 'document' AND aggregate_id = ANY (?)")) {
            delete.setArray(1, connection.createArrayOf("uuid", aggregates.toArray()));
            delete.executeUpdate();
        }
    }

    @Test
    void givenTwoDocumentsEvents_whenTheBatchCommits_thenEachDocumentsRowAndPositionAreAtItsLastVersion() throws SQLException {
        EventFixtures first = EventFixtures.document();
        EventFixtures second = EventFixtures.document();
        List<EventEnvelope> events = List.of(first.next("DocumentUploaded", UPLOADED), second.next("DocumentUploaded", UPLOADED),
                first.next("DocumentConverted", CONVERTED), first.next("DocumentArchived", "{}"));

        events.forEach(this::pipe);
        assertThat(rows(first.aggregateId())).as("nothing is written before the batch commits").isEmpty();
        BatchTransaction.Result result = batches.commit();

        assertThat(result.outcomes()).containsOnly(Outcome.APPLIED).hasSize(4);
        assertThat(rows(first.aggregateId())).containsExactly("view 3 archived", "position 3", "contents 1");
        assertThat(rows(second.aggregateId())).containsExactly("view 1 uploaded", "position 1");
    }

    @Test
    void givenCommittedRecords_whenTheSameRecordsArriveAgain_thenNothingChangesOrIsDoubled() throws SQLException {
        EventFixtures document = EventFixtures.document();
        List<EventEnvelope> events = List.of(document.next("DocumentUploaded", UPLOADED), document.next("DocumentConverted", CONVERTED));
        events.forEach(this::pipe);
        batches.commit();
        List<String> before = rows(document.aggregateId());

        events.forEach(this::pipe);
        BatchTransaction.Result again = batches.commit();

        assertThat(again.outcomes()).containsExactly(Outcome.ALREADY_APPLIED, Outcome.ALREADY_APPLIED);
        assertThat(rows(document.aggregateId())).isEqualTo(before).containsExactly("view 2 converted", "position 2", "contents 1");
    }

    @Test
    void givenARecordThatIsNoEnvelope_whenItsBatchCommits_thenItsAggregateIsParkedWithItsLaterEventsAndOthersApply() throws SQLException {
        EventFixtures poisoned = EventFixtures.document();
        EventFixtures healthy = EventFixtures.document();
        pipe(poisoned.next("DocumentUploaded", UPLOADED));
        documents.pipeInput(poisoned.aggregateId().toString(), "{not an envelope".getBytes(StandardCharsets.UTF_8));
        pipe(poisoned.next("DocumentConverted", CONVERTED));
        pipe(healthy.next("DocumentUploaded", UPLOADED));

        BatchTransaction.Result result = batches.commit();

        assertThat(result.outcomes()).containsExactly(Outcome.APPLIED, Outcome.PARKED, Outcome.PARKED, Outcome.APPLIED);
        assertThat(result.parked()).containsExactly(poisoned.aggregateId());
        assertThat(rows(poisoned.aggregateId())).containsExactly("view 1 uploaded", "position 1", "parked 2");
        assertThat(rows(healthy.aggregateId())).containsExactly("view 1 uploaded", "position 1");
    }

    @Test
    void givenAVersionHole_whenItsBatchCommits_thenTheLaterEventIsHeldBackUntilTheMissingOneArrives() throws SQLException {
        EventFixtures document = EventFixtures.document();
        EventEnvelope uploaded = document.next("DocumentUploaded", UPLOADED);
        EventEnvelope converted = document.next("DocumentConverted", CONVERTED);
        EventEnvelope archived = document.next("DocumentArchived", "{}");
        pipe(uploaded);
        pipe(archived);

        assertThat(batches.commit().outcomes()).containsExactly(Outcome.APPLIED, Outcome.VERSION_GAP);
        assertThat(rows(document.aggregateId())).containsExactly("view 1 uploaded", "position 1");

        // the relay sends the aggregate's events again from the missing one on
        pipe(converted);
        pipe(archived);

        assertThat(batches.commit().outcomes()).containsExactly(Outcome.APPLIED, Outcome.APPLIED);
        assertThat(rows(document.aggregateId())).containsExactly("view 3 archived", "position 3", "contents 1");
    }

    private void pipe(EventEnvelope event) {
        aggregates.add(event.aggregateId());
        documents.pipeInput(event.aggregateId().toString(), EventJson.toBytes(event));
    }

    /** The document's view, its position, its contents and its parked events, one line each that it has. */
    private List<String> rows(UUID document) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement("""
                SELECT 'view ' || version || ' ' || status FROM readmodel.document_views WHERE id = ?1
                UNION ALL SELECT 'position ' || version FROM readmodel.projection_positions WHERE projection = 'document' AND aggregate_id = ?1
                UNION ALL SELECT 'contents ' || count(*) FROM readmodel.document_contents WHERE document_id = ?1 HAVING count(*) > 0
                UNION ALL SELECT 'parked ' || count(*) FROM readmodel.parked_events WHERE projection = 'document' AND aggregate_id = ?1
                 HAVING count(*) > 0
                """.replace("?1", "?::uuid"))) {
            for (int i = 1; i <= 4; i++) {
                statement.setObject(i, document);
            }
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    rows.add(result.getString(1));
                }
            }
        }
        return rows;
    }
}

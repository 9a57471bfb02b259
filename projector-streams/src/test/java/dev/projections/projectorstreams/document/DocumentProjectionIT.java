package dev.projections.projectorstreams.document;

import static org.assertj.core.api.Assertions.assertThat;

import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.projectorstreams.EventFixtures;
import dev.projections.projectorstreams.write.Outcome;
import dev.projections.projectorstreams.ProjectionFixture;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DocumentProjectionIT {

    private static final String UPLOADED = """
            {"title": "Pump manual", "filename": "pump.pdf", "contentType": "application/pdf", "sizeBytes": 2048,
             "uploadedBy": "alice", "customerId": "6f1c1f3e-3f0a-4b8e-9a59-2f0b8c1d2e3f"}""";
    private static final String CONVERTED = """
            {"markdownContent": "# Pump", "sections": [{"heading": "Pump", "level": 1, "content": "Intro"},
             {"heading": "Parts", "level": 2}], "metadata": {"pages": 3}}""";

    private static ProjectionFixture fixture;

    @BeforeAll
    static void migrate() {
        fixture = new ProjectionFixture(new DocumentProjection());
    }

    @Test
    void givenNewDocument_whenUploaded_thenViewHoldsItAtVersion1WithTheEventsTime() throws Exception {
        EventFixtures document = EventFixtures.document();
        EventEnvelope uploaded = document.next("DocumentUploaded", UPLOADED);

        assertThat(apply(uploaded)).isEqualTo(Outcome.APPLIED);

        assertThat(view(document.aggregateId())).isEqualTo(
                "1|Pump manual|pump.pdf|application/pdf|2048|alice|6f1c1f3e-3f0a-4b8e-9a59-2f0b8c1d2e3f|uploaded|0|"
                        + "2026-03-01 09:01:00.123456+00|2026-03-01 09:01:00.123456+00");
    }

    @Test
    void givenUploadedDocument_whenConverted_thenStatusConvertedAndContentsStored() throws Exception {
        EventFixtures document = EventFixtures.document();
        apply(document.next("DocumentUploaded", UPLOADED));

        apply(document.next("DocumentConverted", CONVERTED));

        assertThat(view(document.aggregateId())).startsWith("2|Pump manual|").contains("|converted|2|");
        assertThat(query("SELECT markdown_content || '|' || sections::text || '|' || metadata::text FROM readmodel.document_contents WHERE document_id = ?",
                document.aggregateId())).containsExactly(
                        "# Pump|[{\"level\": 1, \"content\": \"Intro\", \"heading\": \"Pump\"}, {\"level\": 2, \"content\": null, \"heading\": \"Parts\"}]|{\"pages\": 3}");
    }

    @Test
    void givenConvertedDocument_whenArchived_thenStatusArchivedWithReasonAndTime() throws Exception {
        EventFixtures document = EventFixtures.document();
        apply(document.next("DocumentUploaded", UPLOADED));
        apply(document.next("DocumentConverted", CONVERTED));

        apply(document.next("DocumentArchived", "{\"reason\": \"superseded\"}"));

        assertThat(query("SELECT version || '|' || status || '|' || archive_reason || '|' || archived_at FROM readmodel.document_views WHERE id = ?",
                document.aggregateId())).containsExactly("3|archived|superseded|2026-03-01 09:03:00.123456+00");
    }

    @Test
    void givenDocument_whenDeleted_thenNoRowsRemainAndAReplayDoesNotBringItBack() throws Exception {
        EventFixtures document = EventFixtures.document();
        List<EventEnvelope> history = List.of(document.next("DocumentUploaded", UPLOADED),
                document.next("DocumentConverted", CONVERTED), document.next("DocumentDeleted", "{\"reason\": \"GDPR\"}"));
        for (EventEnvelope event : history) {
            apply(event);
        }

        for (EventEnvelope event : history) {
            assertThat(apply(event)).isEqualTo(Outcome.ALREADY_APPLIED);
        }

        assertThat(view(document.aggregateId())).isNull();
        assertThat(query("SELECT document_id::text FROM readmodel.document_contents WHERE document_id = ?", document.aggregateId())).isEmpty();
        assertThat(query("SELECT version::text FROM readmodel.projection_positions WHERE projection = 'document' AND aggregate_id = ?",
                document.aggregateId())).containsExactly("3");
    }

    @Test
    void givenEventsDeliveredTwice_whenEachIsAppliedAgain_thenRowsAreUnchanged() throws Exception {
        EventFixtures document = EventFixtures.document();
        EventEnvelope uploaded = document.next("DocumentUploaded", UPLOADED);
        EventEnvelope converted = document.next("DocumentConverted", CONVERTED);

        apply(uploaded);
        apply(uploaded);
        apply(converted);
        String once = snapshot(document.aggregateId());
        assertThat(apply(converted)).isEqualTo(Outcome.ALREADY_APPLIED);

        assertThat(snapshot(document.aggregateId())).isEqualTo(once);
    }

    @Test
    void givenUpToDateModel_whenTheWholeHistoryIsReplayed_thenRowsAreUnchanged() throws Exception {
        List<UUID> ids = new ArrayList<>();
        List<EventEnvelope> history = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            EventFixtures document = EventFixtures.document();
            ids.add(document.aggregateId());
            history.add(document.next("DocumentUploaded", UPLOADED));
            history.add(document.next("DocumentConverted", CONVERTED));
            if (i % 3 == 0) {
                history.add(document.next("DocumentArchived", "{}"));
            }
        }
        for (EventEnvelope event : history) {
            apply(event);
        }
        List<String> before = new ArrayList<>();
        for (UUID id : ids) {
            before.add(snapshot(id));
        }

        for (EventEnvelope event : history) {
            assertThat(apply(event)).isEqualTo(Outcome.ALREADY_APPLIED);
        }

        List<String> after = new ArrayList<>();
        for (UUID id : ids) {
            after.add(snapshot(id));
        }
        assertThat(after).isEqualTo(before);
    }

    @Test
    void givenRowAtALaterVersion_whenAnOlderEventArrives_thenTheRowDoesNotRegress() throws Exception {
        EventFixtures document = EventFixtures.document();
        EventEnvelope uploaded = document.next("DocumentUploaded", UPLOADED);
        EventEnvelope converted = document.next("DocumentConverted", CONVERTED);
        EventEnvelope archived = document.next("DocumentArchived", "{}");
        apply(uploaded);
        apply(converted);
        apply(archived);
        String latest = snapshot(document.aggregateId());

        assertThat(apply(converted)).isEqualTo(Outcome.ALREADY_APPLIED);
        assertThat(apply(uploaded)).isEqualTo(Outcome.ALREADY_APPLIED);

        assertThat(snapshot(document.aggregateId())).isEqualTo(latest).contains("archived");
    }

    @Test
    void givenAnEventTheModelDoesNotUse_whenApplied_thenTheVersionStillAdvances() throws Exception {
        EventFixtures document = EventFixtures.document();
        apply(document.next("DocumentUploaded", UPLOADED));

        apply(document.next("SemanticIrExtracted", "{\"formulas\": [], \"definitions\": [], \"tables\": [], \"crossReferences\": []}"));

        assertThat(view(document.aggregateId())).startsWith("2|Pump manual|").contains("|uploaded|");
    }

    @Test
    void givenAPayloadTheModelCannotRead_whenApplied_thenItAndItsAggregatesLaterEventsAreParkedWhileOthersGoOn() throws Exception {
        EventFixtures broken = EventFixtures.document();
        EventFixtures healthy = EventFixtures.document();
        apply(broken.next("DocumentUploaded", UPLOADED));

        EventEnvelope unreadable = broken.next("DocumentConverted", "{\"sections\": \"not a list\"}");
        assertThat(apply(unreadable)).isEqualTo(Outcome.PARKED);
        assertThat(apply(broken.next("DocumentArchived", "{}"))).isEqualTo(Outcome.PARKED);
        assertThat(apply(healthy.next("DocumentUploaded", UPLOADED))).isEqualTo(Outcome.APPLIED);

        assertThat(view(broken.aggregateId())).startsWith("1|").contains("|uploaded|");
        assertThat(query("SELECT event_type || ' v' || event_version FROM readmodel.parked_events WHERE aggregate_id = ? ORDER BY sequence",
                broken.aggregateId())).containsExactly("DocumentConverted v2", "DocumentArchived v3");
        assertThat(query("SELECT error FROM readmodel.parked_events WHERE aggregate_id = ? AND event_version = 2", broken.aggregateId()))
                .singleElement().asString().contains("DocumentConverted payload does not match");
        // a projector started anew knows which aggregates are parked: the broken one's next event waits behind them
        ProjectionFixture restarted = new ProjectionFixture(new DocumentProjection());
        assertThat(restarted.apply(broken.next("DocumentDeleted", "{}"))).isEqualTo(Outcome.PARKED);
        assertThat(restarted.apply(healthy.next("DocumentArchived", "{}"))).isEqualTo(Outcome.APPLIED);
    }

    @Test
    void givenOneBatchWithARefusedAndAnUnreadableEvent_whenApplied_thenOnlyTheirAggregatesAreParkedAndTheRestIsApplied() throws Exception {
        List<EventFixtures> documents = new ArrayList<>();
        List<EventEnvelope> batch = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            documents.add(EventFixtures.document());
        }
        for (EventFixtures document : documents) {
            batch.add(document.next("DocumentUploaded", UPLOADED));
        }
        for (int i = 0; i < documents.size(); i++) {
            // the database refuses a NUL in text; the projection cannot read sections that are not a list
            String converted = i == 5 ? CONVERTED.replace("# Pump", "# Pu\\u0000mp")
                    : i == 12 ? "{\"markdownContent\": \"x\", \"sections\": {\"not\": \"a list\"}}" : CONVERTED;
            batch.add(documents.get(i).next("DocumentConverted", converted));
            batch.add(documents.get(i).next("DocumentArchived", "{\"reason\": \"superseded\"}"));
        }

        List<Outcome> outcomes = fixture.applyAll(batch);

        assertThat(outcomes.stream().filter(outcome -> outcome == Outcome.PARKED)).hasSize(4);
        for (int i = 0; i < documents.size(); i++) {
            UUID id = documents.get(i).aggregateId();
            if (i == 5 || i == 12) {
                assertThat(view(id)).as("document %d", i).startsWith("1|").contains("|uploaded|");
                assertThat(query("SELECT event_type FROM readmodel.parked_events WHERE projection = 'document' AND aggregate_id = ? ORDER BY event_version",
                        id)).containsExactly("DocumentConverted", "DocumentArchived");
            } else {
                assertThat(view(id)).as("document %d", i).startsWith("3|").contains("|archived|2|");
            }
        }

        List<Outcome> again = fixture.applyAll(batch);

        assertThat(again.stream().filter(outcome -> outcome == Outcome.ALREADY_APPLIED)).hasSize(56);
        assertThat(again.stream().filter(outcome -> outcome == Outcome.PARKED)).hasSize(4);
    }

    @Test
    void givenAHoleInAnAggregatesVersions_whenTheLaterEventArrivesFirst_thenItIsHeldBackUntilTheMissingOneArrives() throws Exception {
        EventFixtures document = EventFixtures.document();
        EventEnvelope uploaded = document.next("DocumentUploaded", UPLOADED);
        EventEnvelope converted = document.next("DocumentConverted", CONVERTED);
        EventEnvelope archived = document.next("DocumentArchived", "{\"reason\": \"superseded\"}");
        apply(uploaded);

        // v3 before v2, as after a relay's failed send of v2: the read model stays at v1, nothing parked
        assertThat(apply(archived)).isEqualTo(Outcome.VERSION_GAP);
        assertThat(view(document.aggregateId())).startsWith("1|").contains("|uploaded|");
        assertThat(query("SELECT count(*) FROM readmodel.parked_events WHERE aggregate_id = ?", document.aggregateId())).containsExactly("0");

        // the relay sends v2 and v3 again: both are applied, in order
        assertThat(fixture.applyAll(List.of(converted, archived))).containsExactly(Outcome.APPLIED, Outcome.APPLIED);
        assertThat(view(document.aggregateId())).startsWith("3|").contains("|archived|2|");
    }

    @Test
    void givenOneBatchWithAHole_whenApplied_thenEventsUpToTheHoleAreAppliedAndTheRestHeldBack() throws Exception {
        EventFixtures document = EventFixtures.document();
        EventEnvelope uploaded = document.next("DocumentUploaded", UPLOADED);
        EventEnvelope converted = document.next("DocumentConverted", CONVERTED);
        EventEnvelope archived = document.next("DocumentArchived", "{}");

        assertThat(fixture.applyAll(List.of(uploaded, archived, converted)))
                .containsExactly(Outcome.APPLIED, Outcome.VERSION_GAP, Outcome.APPLIED);
        assertThat(view(document.aggregateId())).startsWith("2|").contains("|converted|");

        assertThat(apply(archived)).isEqualTo(Outcome.APPLIED);
        assertThat(view(document.aggregateId())).startsWith("3|").contains("|archived|");
    }

    @Test
    void givenANewDocumentsEventsInOneBatch_whenFolded_thenItsRowsAreThoseOfItsEventsAppliedOneByOne() throws Exception {
        String[] uploaded = {"DocumentUploaded", UPLOADED};
        String[] converted = {"DocumentConverted", CONVERTED};
        String[] reconverted = {"DocumentConverted", CONVERTED.replace("# Pump", "# Pump, second edition").replace("{\"pages\": 3}", "null")};
        String[] archived = {"DocumentArchived", "{\"reason\": \"superseded\"}"};
        String[] deleted = {"DocumentDeleted", "{}"};
        String[] extracted = {"SemanticIrExtracted", "{}"};
        List<List<String[]>> histories = List.of(List.of(uploaded, converted), List.of(uploaded, converted, extracted),
                List.of(uploaded, converted, archived), List.of(uploaded, archived, converted), List.of(uploaded, converted, deleted),
                List.of(uploaded, deleted, converted, extracted), List.of(uploaded, converted, reconverted),
                List.of(uploaded, extracted, converted, archived, extracted));
        for (List<String[]> history : histories) {
            String name = history.stream().map(event -> event[0]).toList().toString();

            ProjectionFixture.Folding folding = fixture.oneByOneAndInOneBatch(history, "readmodel.document_views:id",
                    "readmodel.document_contents:document_id");

            assertThat(folding.foldedStatements()).as("statements of %s, folded: the row and its contents at most", name).isBetween(1, 2);
            assertThat(folding.outcomes()).as(name).containsOnly(Outcome.APPLIED);
            assertThat(folding.inOneBatch()).as("%s, folded in one batch", name).isEqualTo(folding.oneByOne());
        }
    }

    @Test
    void givenADocumentWithRows_whenItsLaterEventsArriveInOneBatch_thenTheyAreNotFoldedButAppliedOneByOne() throws Exception {
        EventFixtures document = EventFixtures.document();
        apply(document.next("DocumentUploaded", UPLOADED));
        List<EventEnvelope> later = List.of(document.next("DocumentConverted", CONVERTED), document.next("DocumentArchived", "{}"));

        // declined at once, without a statement (there is nowhere to put one)
        assertThat(new DocumentProjection().fold(later, null)).isFalse();
        assertThat(fixture.applyAll(later)).containsExactly(Outcome.APPLIED, Outcome.APPLIED);
        assertThat(view(document.aggregateId())).startsWith("3|").contains("|archived|2|");
    }

    private static Outcome apply(EventEnvelope event) throws SQLException {
        return fixture.apply(event);
    }

    private static String view(UUID id) throws SQLException {
        List<String> rows = query("""
                SELECT concat_ws('|', version, title, filename, content_type, size_bytes, uploaded_by, customer_id, status,
                                 section_count, uploaded_at, updated_at)
                  FROM readmodel.document_views WHERE id = ?""", id);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private static String snapshot(UUID id) throws SQLException {
        return fixture.snapshot(id, "readmodel.document_views:id", "readmodel.document_contents:document_id");
    }

    private static List<String> query(String sql, Object parameter) throws SQLException {
        return fixture.query(sql, parameter);
    }
}

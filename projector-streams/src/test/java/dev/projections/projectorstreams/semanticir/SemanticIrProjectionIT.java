package dev.projections.projectorstreams.semanticir;

import static org.assertj.core.api.Assertions.assertThat;

import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.projectorstreams.EventFixtures;
import dev.projections.projectorstreams.write.Outcome;
import dev.projections.projectorstreams.ProjectionFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SemanticIrProjectionIT {

    private static final String UPLOADED = """
            {"title": "Heat transfer", "filename": "heat.pdf", "contentType": "application/pdf", "sizeBytes": 1, "uploadedBy": "bob"}""";
    private static final String EXTRACTED = """
            {"formulas": [{"name": "Fourier", "expression": "q = -k * dT/dx", "variables": {"k": "conductivity"}},
                          {"name": "Newton", "expression": "q = h * dT", "variables": {}}],
             "definitions": [{"term": "flux", "definition": "flow per area", "context": "section 2"}],
             "tables": [{"name": "Conductivities", "tableData": [["copper", 401], ["steel", 50]], "rowCount": 2, "columnCount": 2}],
             "crossReferences": [{"target": "ISO 8302", "referenceType": "standard", "location": "p. 4"}]}""";
    private static final String REEXTRACTED = """
            {"formulas": [{"name": "Stefan-Boltzmann", "expression": "q = e * s * T^4", "variables": {}}],
             "definitions": [], "tables": [], "crossReferences": []}""";
    private static final String[] TABLES = {"readmodel.semantic_ir_documents:id", "readmodel.semantic_ir:document_id"};

    private static ProjectionFixture fixture;

    @BeforeAll
    static void migrate() {
        fixture = new ProjectionFixture(new SemanticIrProjection());
    }

    @Test
    void givenAnUploadedDocument_whenItsSemanticIrIsExtracted_thenOneRowPerItemWithItsTypeAndColumns() throws Exception {
        EventFixtures document = EventFixtures.document();
        fixture.apply(document.next("DocumentUploaded", UPLOADED));

        fixture.apply(document.next("SemanticIrExtracted", EXTRACTED));

        assertThat(items(document.aggregateId())).containsExactly(
                "cross_reference|0|ISO 8302|ISO 8302|standard|p. 4|2",
                "definition|0|flux|flux|flow per area|section 2|2",
                "formula|0|Fourier|q = -k * dT/dx|{\"k\": \"conductivity\"}|2",
                "formula|1|Newton|q = h * dT|{}|2",
                "table|0|Conductivities|[[\"copper\", 401], [\"steel\", 50]]|2|2|2");
        assertThat(fixture.query("SELECT version || '|' || item_count || '|' || extracted_at FROM readmodel.semantic_ir_documents WHERE id = ?",
                document.aggregateId())).containsExactly("2|5|2026-03-01 09:02:00.123456+00");
    }

    @Test
    void givenAnExtractedDocument_whenExtractedAgain_thenTheNewItemsReplaceTheOld() throws Exception {
        EventFixtures document = EventFixtures.document();
        fixture.applyAll(List.of(document.next("DocumentUploaded", UPLOADED), document.next("SemanticIrExtracted", EXTRACTED)));

        fixture.apply(document.next("SemanticIrExtracted", REEXTRACTED));

        assertThat(items(document.aggregateId())).containsExactly("formula|0|Stefan-Boltzmann|q = e * s * T^4|{}|3");
    }

    @Test
    void givenAnExtractedDocument_whenDeleted_thenItsItemsAreGoneAndAReplayKeepsThemGone() throws Exception {
        EventFixtures document = EventFixtures.document();
        List<EventEnvelope> history = List.of(document.next("DocumentUploaded", UPLOADED),
                document.next("SemanticIrExtracted", EXTRACTED), document.next("DocumentDeleted", "{}"));
        fixture.applyAll(history);

        fixture.applyAll(history);

        assertThat(fixture.snapshot(document.aggregateId(), TABLES)).isEqualTo("[]\n[]\n");
    }

    @Test
    void givenEventsTheModelDoesNotUse_whenApplied_thenTheDocumentsVersionAdvancesAndItsItemsStay() throws Exception {
        EventFixtures document = EventFixtures.document();
        fixture.applyAll(List.of(document.next("DocumentUploaded", UPLOADED), document.next("SemanticIrExtracted", EXTRACTED)));

        fixture.apply(document.next("DocumentConverted", "{\"markdownContent\": \"\", \"sections\": []}"));
        fixture.apply(document.next("DocumentArchived", "{}"));

        assertThat(fixture.query("SELECT version::text FROM readmodel.semantic_ir_documents WHERE id = ?", document.aggregateId()))
                .containsExactly("4");
        assertThat(items(document.aggregateId())).hasSize(5);
    }

    @Test
    void givenAnUpToDateModel_whenEveryEventIsDeliveredAgain_thenNothingChangesAndNothingRegresses() throws Exception {
        List<UUID> ids = new ArrayList<>();
        List<EventEnvelope> history = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            EventFixtures document = EventFixtures.document();
            ids.add(document.aggregateId());
            history.add(document.next("DocumentUploaded", UPLOADED));
            history.add(document.next("SemanticIrExtracted", EXTRACTED));
            history.add(document.next("SemanticIrExtracted", REEXTRACTED));
        }
        fixture.applyAll(history);
        List<String> before = fixture.snapshots(ids, TABLES);

        List<String> after = fixture.replay(history, ids, TABLES);

        assertThat(after).isEqualTo(before);
        assertThat(after.get(0)).contains("Stefan-Boltzmann").doesNotContain("Fourier");
    }

    @Test
    void givenANewDocumentsEventsInOneBatch_whenFolded_thenItsRowsAreThoseOfItsEventsAppliedOneByOne() throws Exception {
        String[] uploaded = {"DocumentUploaded", UPLOADED};
        String[] extracted = {"SemanticIrExtracted", EXTRACTED};
        String[] reextracted = {"SemanticIrExtracted", REEXTRACTED};
        String[] converted = {"DocumentConverted", "{}"};
        String[] archived = {"DocumentArchived", "{}"};
        String[] deleted = {"DocumentDeleted", "{}"};
        List<List<String[]>> histories = List.of(List.of(uploaded, converted), List.of(uploaded, converted, extracted),
                List.of(uploaded, extracted, reextracted, archived), List.of(uploaded, extracted, deleted),
                List.of(uploaded, deleted, extracted, converted), List.of(uploaded, deleted, converted));
        for (List<String[]> history : histories) {
            String name = history.stream().map(event -> event[0]).toList().toString();

            ProjectionFixture.Folding folding = fixture.oneByOneAndInOneBatch(history, TABLES);

            assertThat(folding.foldedStatements()).as("%s folds", name).isNotNegative();
            assertThat(folding.outcomes()).as(name).containsOnly(Outcome.APPLIED);
            assertThat(folding.inOneBatch()).as("%s, folded in one batch", name).isEqualTo(folding.oneByOne());
        }
    }

    private static List<String> items(UUID documentId) throws Exception {
        return fixture.query("""
                SELECT concat_ws('|', ir_type, position, name, expression, variables, term, definition, context, table_data,
                                 row_count, column_count, target, reference_type, location, version)
                  FROM readmodel.semantic_ir WHERE document_id = ? ORDER BY ir_type, position""", documentId);
    }
}

package dev.projections.projectorstreams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.projections.embeddedservices.SharedPostgres;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.projectorstreams.document.DocumentProjection;
import dev.projections.projectorstreams.operations.ShadowBuild;
import dev.projections.projectorstreams.projection.Projection;
import dev.projections.projectorstreams.semanticir.SemanticIrProjection;
import dev.projections.projectorstreams.write.Outcome;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShadowProjectionIT {

    private static final String UPLOADED = """
            {"title": "Valve manual", "filename": "valve.pdf", "contentType": "application/pdf", "sizeBytes": 4096,
             "uploadedBy": "carol"}""";
    private static final String EXTRACTED = """
            {"formulas": [{"name": "Fourier", "expression": "q = -k * dT/dx", "variables": {"k": "conductivity"}}],
             "definitions": [], "tables": [], "crossReferences": []}""";
    private static final String CONVERTED = """
            {"markdownContent": "# Valve", "sections": [{"heading": "Valve", "level": 1, "content": "Intro"}]}""";

    @Test
    void givenADocumentDeletedInALaterBatch_whenAShadowBuildAppliesIt_thenItsContentsAndItemsAreGoneFromTheShadowAsFromTheLiveTables()
            throws Exception {
        // the live tables delete a document's contents and items by their foreign keys' cascade: the copies must too
        for (Projection model : List.of(new DocumentProjection(), new SemanticIrProjection())) {
            ProjectionFixture live = new ProjectionFixture(model);
            ShadowBuild build = new ShadowBuild(model, SharedPostgres.get().dataSource());
            build.prepare();
            try {
                ProjectionFixture shadow = new ProjectionFixture(build.projection());
                EventFixtures document = EventFixtures.document();
                List<EventEnvelope> history = List.of(document.next("DocumentUploaded", UPLOADED), document.next("DocumentConverted", CONVERTED),
                        document.next("SemanticIrExtracted", EXTRACTED), document.next("DocumentDeleted", "{}"));
                for (EventEnvelope event : history) {
                    assertThat(live.apply(event)).isEqualTo(Outcome.APPLIED);
                    assertThat(shadow.apply(event)).isEqualTo(Outcome.APPLIED);
                }

                String[] tables = model.tables().stream().map(table -> table.name() + ":" + table.aggregateColumn()).toArray(String[]::new);
                String[] shadowTables = build.projection().tables().stream().map(table -> table.name() + ":" + table.aggregateColumn())
                        .toArray(String[]::new);
                assertThat(shadow.snapshot(document.aggregateId(), shadowTables)).as(model.name()).doesNotContain(document.aggregateId().toString())
                        .isEqualTo(live.snapshot(document.aggregateId(), tables));
            } finally {
                build.drop();
            }
        }
    }

    @Test
    void givenANewDocumentsHistoryInOneBatch_whenAShadowBuildFoldsIt_thenTheRowsLandInTheShadowTablesAsTheLiveOnesAreMade()
            throws Exception {
        ProjectionFixture live = new ProjectionFixture(new DocumentProjection());
        ShadowBuild build = new ShadowBuild(new DocumentProjection(), SharedPostgres.get().dataSource());
        build.prepare();
        try {
            ProjectionFixture shadow = new ProjectionFixture(build.projection());
            EventFixtures document = EventFixtures.document();
            List<EventEnvelope> history = List.of(document.next("DocumentUploaded", UPLOADED), document.next("DocumentConverted", CONVERTED),
                    document.next("DocumentArchived", "{\"reason\": \"replaced\"}"));
            for (EventEnvelope event : history) {
                live.apply(event);
            }

            RecordingStatements folded = new RecordingStatements();
            assertThat(build.projection().fold(history, folded)).isTrue();
            assertThat(folded.sql()).hasSize(2).allMatch(sql -> sql.contains("readmodel_shadow.") && !sql.contains("readmodel.document"));

            assertThat(shadow.applyAll(history)).containsOnly(Outcome.APPLIED);

            String shadowRows = shadow.snapshot(document.aggregateId(), "readmodel_shadow.document_views:id",
                    "readmodel_shadow.document_contents:document_id");
            assertThat(shadowRows).contains("\"status\":\"archived\"", "# Valve");
            assertThat(shadowRows).isEqualTo(live.snapshot(document.aggregateId(), "readmodel.document_views:id",
                    "readmodel.document_contents:document_id"));
        } finally {
            build.drop();
        }
    }
}

package dev.projections.projectorstreams.outline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.projectorstreams.EventFixtures;
import dev.projections.projectorstreams.write.Outcome;
import dev.projections.projectorstreams.projection.Projection;
import dev.projections.projectorstreams.ProjectionFixture;
import dev.projections.projectorstreams.Projections;
import dev.projections.settings.InvalidSettingsException;
import dev.projections.settings.Settings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A read model added with its migration, its class and this test, and nothing changed elsewhere. */
class DocumentOutlineProjectionIT {

    private static final String UPLOADED = """
            {"title": "Pump manual", "filename": "pump.pdf", "contentType": "application/pdf", "sizeBytes": 2048,
             "uploadedBy": "alice", "customerId": "6f1c1f3e-3f0a-4b8e-9a59-2f0b8c1d2e3f"}""";
    private static final String CONVERTED = """
            {"markdownContent": "# Pump", "sections": [{"heading": "Pump", "level": 1, "content": "Intro"},
             {"heading": "Parts", "level": 2}], "metadata": {"pages": 3}}""";

    private static ProjectionFixture fixture;

    @BeforeAll
    static void migrate() {
        fixture = new ProjectionFixture(Projections.named("document-outline").orElseThrow());
    }

    @Test
    void givenAProjectionRegisteredInTheTestSources_whenTheReadModelsAreListed_thenItIsFoundBesideTheProjectsOwn() {
        assertThat(Projections.names()).containsExactly("conversation", "customer", "document", "document-outline", "semantic-ir");
        assertThat(Projections.named("document-outline")).get().extracting(Projection::mainTable).isEqualTo("readmodel.document_outlines");
    }

    @Test
    void givenAnUnknownName_whenAReadModelIsChosen_thenTheProblemListsTheFoundOnesWithThePlugIn() {
        Settings settings = Settings.of(Map.of(), Map.of());

        assertThat(Projections.named("outline", settings)).isNull();

        assertThatThrownBy(settings::validate).isInstanceOf(InvalidSettingsException.class).hasMessageContaining(
                "read model 'outline' is unknown; known: conversation, customer, document, document-outline, semantic-ir");
    }

    @Test
    void givenADocument_whenUploadedConvertedAndDeleted_thenItsOutlineFollowsAndAReplayChangesNothing() throws Exception {
        EventFixtures document = EventFixtures.document();
        EventEnvelope uploaded = document.next("DocumentUploaded", UPLOADED);
        EventEnvelope converted = document.next("DocumentConverted", CONVERTED);
        EventEnvelope archived = document.next("DocumentArchived", "{}");

        assertThat(fixture.applyAll(List.of(uploaded, converted, archived)))
                .containsExactly(Outcome.APPLIED, Outcome.APPLIED, Outcome.APPLIED);
        assertThat(outline(document)).containsExactly("3|Pump manual|2|{Pump,Parts}|2026-03-01 09:02:00.123456+00");
        assertThat(fixture.replay(List.of(uploaded, converted, archived), List.of(document.aggregateId()), "readmodel.document_outlines:id"))
                .containsExactly(fixture.snapshot(document.aggregateId(), "readmodel.document_outlines:id"));

        fixture.apply(document.next("DocumentDeleted", "{\"reason\": \"GDPR\"}"));

        assertThat(outline(document)).isEmpty();
        assertThat(fixture.apply(uploaded)).isEqualTo(Outcome.ALREADY_APPLIED);
        assertThat(outline(document)).isEmpty();
    }

    private static List<String> outline(EventFixtures document) throws Exception {
        return fixture.query("SELECT version || '|' || title || '|' || sections || '|' || headings::text || '|' || updated_at"
                + " FROM readmodel.document_outlines WHERE id = ?", document.aggregateId());
    }
}

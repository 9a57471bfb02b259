package dev.projections.projectorstreams.outline;

import static dev.projections.projectorstreams.projection.SqlStatements.advanceVersion;
import static dev.projections.projectorstreams.projection.SqlStatements.occurredAt;

import com.google.auto.service.AutoService;
import dev.projections.eventcatalogue.AggregateTypes;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventcatalogue.document.DocumentConverted;
import dev.projections.eventcatalogue.document.DocumentDeleted;
import dev.projections.eventcatalogue.document.DocumentUploaded;
import dev.projections.projectorstreams.projection.Projection;
import dev.projections.projectorstreams.projection.Statements;
import java.sql.Timestamp;
import java.util.List;
import java.util.Set;

/**
 * {@code readmodel.document_outlines}: each document's title and section headings. A fifth read model that
 * lives in the test sources only, with its migration beside it, to show that adding one touches nothing else.
 */
@AutoService(Projection.class)
public final class DocumentOutlineProjection implements Projection {

    private static final String OUTLINES = "readmodel.document_outlines";
    private static final String UPLOADED = """
            INSERT INTO readmodel.document_outlines AS o (id, version, title, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET version = excluded.version, title = excluded.title, updated_at = excluded.updated_at
             WHERE o.version < excluded.version
            """;
    private static final String CONVERTED = """
            UPDATE readmodel.document_outlines SET version = ?, sections = ?, headings = ?, updated_at = ?
             WHERE id = ? AND version < ?
            """;
    private static final String DELETED = "DELETE FROM readmodel.document_outlines WHERE id = ?";

    @Override
    public String name() {
        return "document-outline";
    }

    @Override
    public List<String> aggregateTypes() {
        return List.of(AggregateTypes.DOCUMENT);
    }

    @Override
    public List<Table> tables() {
        return List.of(new Table(OUTLINES, "id"));
    }

    @Override
    public Set<String> removingEvents() {
        return Set.of(DocumentDeleted.TYPE);
    }

    @Override
    public void apply(EventEnvelope event, Statements statements) {
        Timestamp at = occurredAt(event);
        int version = event.eventVersion();
        switch (event.eventType()) {
            case DocumentUploaded.TYPE -> {
                DocumentUploaded uploaded = EventJson.payload(event, DocumentUploaded.class);
                statements.add(UPLOADED, event.aggregateId(), version, uploaded.title(), at);
            }
            case DocumentConverted.TYPE -> {
                DocumentConverted converted = EventJson.payload(event, DocumentConverted.class);
                String[] headings = converted.sections().stream().map(DocumentConverted.Section::heading).toArray(String[]::new);
                statements.add(CONVERTED, version, headings.length, headings, at, event.aggregateId(), version);
            }
            case DocumentDeleted.TYPE -> statements.add(DELETED, event.aggregateId());
            default -> advanceVersion(statements, OUTLINES, event);
        }
    }
}

package dev.projections.projectorstreams.document;

import static dev.projections.projectorstreams.SqlStatements.advanceVersion;
import static dev.projections.projectorstreams.SqlStatements.occurredAt;

import com.google.auto.service.AutoService;
import dev.projections.eventcatalogue.AggregateTypes;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventcatalogue.document.DocumentArchived;
import dev.projections.eventcatalogue.document.DocumentConverted;
import dev.projections.eventcatalogue.document.DocumentDeleted;
import dev.projections.eventcatalogue.document.DocumentUploaded;
import dev.projections.projectorstreams.Projection;
import dev.projections.projectorstreams.Statements;
import java.sql.Timestamp;
import java.util.List;
import java.util.Set;


/** {@code readmodel.document_views} and {@code readmodel.document_contents}. */
@AutoService(Projection.class)
public final class DocumentProjection implements Projection {

    private static final String UPLOADED = """
            INSERT INTO readmodel.document_views
                   (id, version, title, filename, content_type, size_bytes, uploaded_by, customer_id, status,
                    uploaded_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'uploaded', ?, ?)
            ON CONFLICT (id) DO UPDATE
               SET version = excluded.version, title = excluded.title, filename = excluded.filename,
                   content_type = excluded.content_type, size_bytes = excluded.size_bytes,
                   uploaded_by = excluded.uploaded_by, customer_id = excluded.customer_id,
                   uploaded_at = excluded.uploaded_at, updated_at = excluded.updated_at
             WHERE document_views.version < excluded.version
            """;
    private static final String CONVERTED_VIEW = """
            UPDATE readmodel.document_views
               SET version = ?, status = CASE WHEN status = 'archived' THEN status ELSE 'converted' END,
                   section_count = ?, converted_at = ?, updated_at = ?
             WHERE id = ? AND version < ?
            """;
    /** Only for a document the conversion reached: one uploaded, and not deleted since. */
    private static final String CONVERTED_CONTENT = """
            INSERT INTO readmodel.document_contents (document_id, markdown_content, sections, metadata, converted_at)
            SELECT ?, ?, ?::jsonb, ?::jsonb, ?
             WHERE EXISTS (SELECT 1 FROM readmodel.document_views WHERE id = ? AND version = ?)
            ON CONFLICT (document_id) DO UPDATE
               SET markdown_content = excluded.markdown_content, sections = excluded.sections,
                   metadata = excluded.metadata, converted_at = excluded.converted_at
            """;
    private static final String ARCHIVED = """
            UPDATE readmodel.document_views
               SET version = ?, status = 'archived', archive_reason = ?, archived_at = ?, updated_at = ?
             WHERE id = ? AND version < ?
            """;
    private static final String DELETED = "DELETE FROM readmodel.document_views WHERE id = ?";

    @Override
    public String name() {
        return "document";
    }

    @Override
    public List<String> aggregateTypes() {
        return List.of(AggregateTypes.DOCUMENT);
    }

    @Override
    public List<Table> tables() {
        return List.of(new Table("readmodel.document_contents", "document_id"), new Table("readmodel.document_views", "id"));
    }

    @Override
    public Set<String> removingEvents() {
        return Set.of(DocumentDeleted.TYPE);
    }

    @Override
    public List<Reference> references() {
        return List.of(new Reference("readmodel.document_views", "customer_id", "readmodel.customers"));
    }

    @Override
    public void apply(EventEnvelope event, Statements statements) {
        Timestamp at = occurredAt(event);
        switch (event.eventType()) {
            case DocumentUploaded.TYPE -> {
                DocumentUploaded uploaded = EventJson.payload(event, DocumentUploaded.class);
                statements.add(UPLOADED, event.aggregateId(), event.eventVersion(), uploaded.title(),
                        uploaded.filename(), uploaded.contentType(), uploaded.sizeBytes(), uploaded.uploadedBy(),
                        uploaded.customerId(), at, at);
            }
            case DocumentConverted.TYPE -> {
                DocumentConverted converted = EventJson.payload(event, DocumentConverted.class);
                statements.add(CONVERTED_VIEW, event.eventVersion(), converted.sections().size(), at, at,
                        event.aggregateId(), event.eventVersion());
                statements.add(CONVERTED_CONTENT, event.aggregateId(), converted.markdownContent(),
                        EventJson.toText(converted.sections()),
                        converted.metadata() == null ? "{}" : EventJson.toText(converted.metadata()), at,
                        event.aggregateId(), event.eventVersion());
            }
            case DocumentArchived.TYPE -> {
                DocumentArchived archived = EventJson.payload(event, DocumentArchived.class);
                statements.add(ARCHIVED, event.eventVersion(), archived.reason(), at, at, event.aggregateId(),
                        event.eventVersion());
            }
            case DocumentDeleted.TYPE -> statements.add(DELETED, event.aggregateId());
            default -> advanceVersion(statements, "readmodel.document_views", event);
        }
    }
}

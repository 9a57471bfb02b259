package dev.projections.projectorstreams.document;

import static dev.projections.projectorstreams.projection.SqlStatements.advanceVersion;
import static dev.projections.projectorstreams.projection.SqlStatements.occurredAt;

import com.google.auto.service.AutoService;
import dev.projections.eventcatalogue.AggregateTypes;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventcatalogue.document.DocumentArchived;
import dev.projections.eventcatalogue.document.DocumentConverted;
import dev.projections.eventcatalogue.document.DocumentDeleted;
import dev.projections.eventcatalogue.document.DocumentUploaded;
import dev.projections.projectorstreams.projection.Projection;
import dev.projections.projectorstreams.projection.Statements;
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
    /** A new document's events of one batch, folded: its final row at once, as UPLOADED writes a first one. */
    private static final String FOLDED_VIEW = """
            INSERT INTO readmodel.document_views
                   (id, version, title, filename, content_type, size_bytes, uploaded_by, customer_id, status, section_count,
                    archive_reason, uploaded_at, converted_at, archived_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE
               SET version = excluded.version, title = excluded.title, filename = excluded.filename,
                   content_type = excluded.content_type, size_bytes = excluded.size_bytes,
                   uploaded_by = excluded.uploaded_by, customer_id = excluded.customer_id, status = excluded.status,
                   section_count = excluded.section_count, archive_reason = excluded.archive_reason,
                   uploaded_at = excluded.uploaded_at, converted_at = excluded.converted_at,
                   archived_at = excluded.archived_at, updated_at = excluded.updated_at
             WHERE document_views.version < excluded.version
            """;
    /** Written right after FOLDED_VIEW made the row its conversion belongs to. */
    private static final String FOLDED_CONTENT = """
            INSERT INTO readmodel.document_contents (document_id, markdown_content, sections, metadata, converted_at)
            VALUES (?, ?, ?::jsonb, ?::jsonb, ?)
            ON CONFLICT (document_id) DO UPDATE
               SET markdown_content = excluded.markdown_content, sections = excluded.sections,
                   metadata = excluded.metadata, converted_at = excluded.converted_at
            """;

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

    /**
     * A new document's history from its upload (a catch-up or a rebuild meets each document's first events
     * together): the row {@link #apply} would leave after each event in turn, written once, and its contents
     * once, instead of an insert and an update or two per event.
     */
    @Override
    public boolean fold(List<EventEnvelope> events, Statements statements) {
        EventEnvelope first = events.get(0);
        if (first.eventVersion() != 1 || !DocumentUploaded.TYPE.equals(first.eventType())) {
            return false;
        }
        DocumentUploaded uploaded = EventJson.payload(first, DocumentUploaded.class);
        Timestamp uploadedAt = occurredAt(first);
        boolean exists = true;
        int version = first.eventVersion();
        String status = "uploaded";
        int sectionCount = 0;
        String archiveReason = null;
        Timestamp convertedAt = null;
        Timestamp archivedAt = null;
        Timestamp updatedAt = uploadedAt;
        Object[] content = null;
        for (EventEnvelope event : events.subList(1, events.size())) {
            Timestamp at = occurredAt(event);
            switch (event.eventType()) {
                case DocumentUploaded.TYPE -> {
                    return false;
                }
                case DocumentDeleted.TYPE -> {
                    exists = false;
                    content = null;
                }
                case DocumentConverted.TYPE -> {
                    if (exists) {
                        DocumentConverted converted = EventJson.payload(event, DocumentConverted.class);
                        status = "archived".equals(status) ? status : "converted";
                        sectionCount = converted.sections().size();
                        convertedAt = at;
                        updatedAt = at;
                        content = new Object[] {event.aggregateId(), converted.markdownContent(), EventJson.toText(converted.sections()),
                            converted.metadata() == null ? "{}" : EventJson.toText(converted.metadata()), at};
                    }
                }
                case DocumentArchived.TYPE -> {
                    if (exists) {
                        status = "archived";
                        archiveReason = EventJson.payload(event, DocumentArchived.class).reason();
                        archivedAt = at;
                        updatedAt = at;
                    }
                }
                default -> {
                    // version only, below
                }
            }
            if (exists) {
                version = event.eventVersion();
            }
        }
        if (!exists) {
            statements.add(DELETED, first.aggregateId());
            return true;
        }
        statements.add(FOLDED_VIEW, first.aggregateId(), version, uploaded.title(), uploaded.filename(), uploaded.contentType(),
                uploaded.sizeBytes(), uploaded.uploadedBy(), uploaded.customerId(), status, sectionCount, archiveReason, uploadedAt,
                convertedAt, archivedAt, updatedAt);
        if (content != null) {
            statements.add(FOLDED_CONTENT, content);
        }
        return true;
    }
}

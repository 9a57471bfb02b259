package dev.projections.projectorstreams.semanticir;

import static dev.projections.projectorstreams.projection.SqlStatements.advanceVersion;
import static dev.projections.projectorstreams.projection.SqlStatements.occurredAt;

import com.google.auto.service.AutoService;
import dev.projections.eventcatalogue.AggregateTypes;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventcatalogue.document.DocumentDeleted;
import dev.projections.eventcatalogue.document.DocumentUploaded;
import dev.projections.eventcatalogue.document.SemanticIrExtracted;
import dev.projections.projectorstreams.projection.Projection;
import dev.projections.projectorstreams.projection.Statements;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code readmodel.semantic_ir}: one row per formula, definition, table and cross-reference of a document's
 * last extraction, under {@code readmodel.semantic_ir_documents}. It reads the document topic on its own,
 * so it may run ahead of (or behind) the document read model.
 */
@AutoService(Projection.class)
public final class SemanticIrProjection implements Projection {

    private static final String DOCUMENTS = "readmodel.semantic_ir_documents";
    private static final String UPLOADED = """
            INSERT INTO readmodel.semantic_ir_documents AS d (id, version, updated_at)
            VALUES (?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at
             WHERE d.version < excluded.version
            """;
    private static final String EXTRACTED = """
            INSERT INTO readmodel.semantic_ir_documents AS d (id, version, item_count, extracted_at, updated_at)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE
               SET version = excluded.version, item_count = excluded.item_count, extracted_at = excluded.extracted_at,
                   updated_at = excluded.updated_at
             WHERE d.version < excluded.version
            """;
    private static final String DELETE_ITEMS = "DELETE FROM readmodel.semantic_ir WHERE document_id = ?";
    /** A batch's items at once, one array per column. */
    private static final String INSERT_ITEM = """
            INSERT INTO readmodel.semantic_ir
                   (document_id, ir_type, position, name, expression, variables, term, definition, context, table_data,
                    row_count, column_count, target, reference_type, location, version, extracted_at)
            SELECT * FROM unnest(?::uuid[], ?::text[], ?::integer[], ?::text[], ?::text[], ?::jsonb[], ?::text[], ?::text[],
                                 ?::text[], ?::jsonb[], ?::integer[], ?::integer[], ?::text[], ?::text[], ?::text[], ?::integer[],
                                 ?::timestamptz[])
            """;
    private static final String DELETE_DOCUMENT = "DELETE FROM readmodel.semantic_ir_documents WHERE id = ?";

    @Override
    public String name() {
        return "semantic-ir";
    }

    @Override
    public List<String> aggregateTypes() {
        return List.of(AggregateTypes.DOCUMENT);
    }

    @Override
    public List<Table> tables() {
        return List.of(new Table("readmodel.semantic_ir", "document_id"), new Table(DOCUMENTS, "id"));
    }

    @Override
    public Set<String> removingEvents() {
        return Set.of(DocumentDeleted.TYPE);
    }

    @Override
    public List<Reference> references() {
        return List.of(new Reference(DOCUMENTS, "id", "readmodel.document_views"));
    }

    @Override
    public void apply(EventEnvelope event, Statements statements) {
        Timestamp at = occurredAt(event);
        switch (event.eventType()) {
            case DocumentUploaded.TYPE -> statements.add(UPLOADED, event.aggregateId(), event.eventVersion(), at);
            case SemanticIrExtracted.TYPE -> {
                SemanticIrExtracted extracted = EventJson.payload(event, SemanticIrExtracted.class);
                int items = extracted.formulas().size() + extracted.definitions().size() + extracted.tables().size()
                        + extracted.crossReferences().size();
                statements.add(EXTRACTED, event.aggregateId(), event.eventVersion(), items, at, at);
                statements.add(DELETE_ITEMS, event.aggregateId());
                statements.addColumns(INSERT_ITEM, items(event, extracted, at));
            }
            case DocumentDeleted.TYPE -> statements.add(DELETE_DOCUMENT, event.aggregateId());
            default -> advanceVersion(statements, DOCUMENTS, event);
        }
    }

    /**
     * A new document's history from its upload, as a catch-up or a rebuild meets it: its final row and the
     * items of its last extraction, inserted once, instead of an insert, an update per later event and a
     * delete before each extraction's items.
     */
    @Override
    public boolean fold(List<EventEnvelope> events, Statements statements) {
        EventEnvelope first = events.get(0);
        if (first.eventVersion() != 1 || !DocumentUploaded.TYPE.equals(first.eventType())) {
            return false;
        }
        boolean exists = true;
        int version = first.eventVersion();
        int itemCount = 0;
        Timestamp extractedAt = null;
        Timestamp updatedAt = occurredAt(first);
        List<Object[]> items = List.of();
        for (EventEnvelope event : events.subList(1, events.size())) {
            switch (event.eventType()) {
                case DocumentUploaded.TYPE -> {
                    return false;
                }
                case DocumentDeleted.TYPE -> {
                    exists = false;
                    items = List.of();
                }
                case SemanticIrExtracted.TYPE -> {
                    // an extraction writes its document's row, even after a deletion
                    Timestamp at = occurredAt(event);
                    items = items(event, EventJson.payload(event, SemanticIrExtracted.class), at);
                    exists = true;
                    version = event.eventVersion();
                    itemCount = items.size();
                    extractedAt = at;
                    updatedAt = at;
                }
                default -> {
                    if (exists) {
                        version = event.eventVersion();
                    }
                }
            }
        }
        if (!exists) {
            statements.add(DELETE_DOCUMENT, first.aggregateId());
            return true;
        }
        statements.add(EXTRACTED, first.aggregateId(), version, itemCount, extractedAt, updatedAt);
        statements.addColumns(INSERT_ITEM, items);
        return true;
    }

    private static List<Object[]> items(EventEnvelope event, SemanticIrExtracted extracted, Timestamp at) {
        List<Object[]> rows = new ArrayList<>();
        int position = 0;
        for (SemanticIrExtracted.Formula formula : extracted.formulas()) {
            rows.add(item(event, at, "formula", position++, formula.name(), formula.expression(), json(formula.variables()),
                    null, null, null, null, null, null, null, null, null));
        }
        position = 0;
        for (SemanticIrExtracted.Definition definition : extracted.definitions()) {
            rows.add(item(event, at, "definition", position++, definition.term(), null, null, definition.term(),
                    definition.definition(), definition.context(), null, null, null, null, null, null));
        }
        position = 0;
        for (SemanticIrExtracted.Table table : extracted.tables()) {
            rows.add(item(event, at, "table", position++, table.name(), null, null, null, null, null, json(table.tableData()),
                    table.rowCount(), table.columnCount(), null, null, null));
        }
        position = 0;
        for (SemanticIrExtracted.CrossReference reference : extracted.crossReferences()) {
            rows.add(item(event, at, "cross_reference", position++, reference.target(), null, null, null, null, null, null,
                    null, null, reference.target(), reference.referenceType(), reference.location()));
        }
        return rows;
    }

    /** The parameters of INSERT_ITEM: the item's columns between its key and the event's version and time. */
    private static Object[] item(EventEnvelope event, Timestamp at, String irType, int position, Object... columns) {
        Object[] row = new Object[columns.length + 5];
        row[0] = event.aggregateId();
        row[1] = irType;
        row[2] = position;
        System.arraycopy(columns, 0, row, 3, columns.length);
        row[row.length - 2] = event.eventVersion();
        row[row.length - 1] = at;
        return row;
    }

    private static String json(Object value) {
        return value == null ? null : EventJson.toText(value);
    }
}

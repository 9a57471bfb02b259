package dev.projections.projectorstreams.customer;

import static dev.projections.projectorstreams.projection.SqlStatements.advanceVersion;
import static dev.projections.projectorstreams.projection.SqlStatements.occurredAt;

import com.google.auto.service.AutoService;
import dev.projections.eventcatalogue.AggregateTypes;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventcatalogue.customer.CustomerRegistered;
import dev.projections.eventcatalogue.customer.CustomerRenamed;
import dev.projections.projectorstreams.projection.Projection;
import dev.projections.projectorstreams.projection.Statements;
import java.sql.Timestamp;
import java.util.List;

/**
 * {@code readmodel.customers}. Codes are unique because the writer claims them when it appends a
 * registration; the read model only reflects what was written and holds no constraint across customers.
 */
@AutoService(Projection.class)
public final class CustomerProjection implements Projection {

    private static final String CUSTOMERS = "readmodel.customers";
    private static final String REGISTERED = """
            INSERT INTO readmodel.customers AS c (id, version, code, name, registered_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE
               SET version = excluded.version, code = excluded.code, name = excluded.name,
                   registered_at = excluded.registered_at, updated_at = excluded.updated_at
             WHERE c.version < excluded.version
            """;
    private static final String RENAMED = """
            UPDATE readmodel.customers SET version = ?, name = ?, updated_at = ? WHERE id = ? AND version < ?
            """;

    @Override
    public String name() {
        return "customer";
    }

    @Override
    public List<String> aggregateTypes() {
        return List.of(AggregateTypes.CUSTOMER);
    }

    @Override
    public List<Table> tables() {
        return List.of(new Table(CUSTOMERS, "id"));
    }

    @Override
    public void apply(EventEnvelope event, Statements statements) {
        Timestamp at = occurredAt(event);
        switch (event.eventType()) {
            case CustomerRegistered.TYPE -> {
                CustomerRegistered registered = EventJson.payload(event, CustomerRegistered.class);
                statements.add(REGISTERED, event.aggregateId(), event.eventVersion(), registered.code(), registered.name(), at, at);
            }
            case CustomerRenamed.TYPE -> {
                CustomerRenamed renamed = EventJson.payload(event, CustomerRenamed.class);
                statements.add(RENAMED, event.eventVersion(), renamed.name(), at, event.aggregateId(), event.eventVersion());
            }
            default -> advanceVersion(statements, CUSTOMERS, event);
        }
    }
}

package dev.projections.projectorstreams.conversation;

import static dev.projections.projectorstreams.projection.SqlStatements.advanceVersion;
import static dev.projections.projectorstreams.projection.SqlStatements.occurredAt;

import com.google.auto.service.AutoService;
import dev.projections.eventcatalogue.AggregateTypes;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventcatalogue.conversation.ConversationClosed;
import dev.projections.eventcatalogue.conversation.ConversationContextUpdated;
import dev.projections.eventcatalogue.conversation.ConversationRenamed;
import dev.projections.eventcatalogue.conversation.ConversationStarted;
import dev.projections.eventcatalogue.conversation.MessagePosted;
import dev.projections.projectorstreams.projection.Projection;
import dev.projections.projectorstreams.projection.Statements;
import java.sql.Timestamp;
import java.util.List;

/**
 * {@code readmodel.conversation_threads} and {@code readmodel.conversation_messages}. Every change of a
 * thread, a message included, moves its {@code updated_at} to the event's time. A thread's customer may
 * not be in the customer read model yet: that one is projected on its own.
 */
@AutoService(Projection.class)
public final class ConversationProjection implements Projection {

    private static final String THREADS = "readmodel.conversation_threads";
    private static final String STARTED = """
            INSERT INTO readmodel.conversation_threads AS t
                   (id, version, customer_id, user_id, title, is_active, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, true, ?, ?)
            ON CONFLICT (id) DO UPDATE
               SET version = excluded.version, customer_id = excluded.customer_id, user_id = excluded.user_id,
                   title = excluded.title, created_at = excluded.created_at, updated_at = excluded.updated_at
             WHERE t.version < excluded.version
            """;
    private static final String MESSAGE_THREAD = """
            UPDATE readmodel.conversation_threads
               SET version = ?, message_count = message_count + 1, updated_at = ?
             WHERE id = ? AND version < ?
            """;
    private static final String MESSAGE = """
            INSERT INTO readmodel.conversation_messages (id, thread_id, thread_version, role, content, metadata, created_at)
            VALUES (?, ?, ?, ?, ?, ?::jsonb, ?)
            ON CONFLICT (id) DO NOTHING
            """;
    private static final String RENAMED = """
            UPDATE readmodel.conversation_threads SET version = ?, title = ?, updated_at = ? WHERE id = ? AND version < ?
            """;
    private static final String CONTEXT_UPDATED = """
            UPDATE readmodel.conversation_threads SET version = ?, context_cache = ?::jsonb, updated_at = ?
             WHERE id = ? AND version < ?
            """;
    private static final String CLOSED = """
            UPDATE readmodel.conversation_threads SET version = ?, is_active = false, closed_at = ?, updated_at = ?
             WHERE id = ? AND version < ?
            """;

    @Override
    public String name() {
        return "conversation";
    }

    @Override
    public List<String> aggregateTypes() {
        return List.of(AggregateTypes.CONVERSATION);
    }

    @Override
    public List<Table> tables() {
        return List.of(new Table("readmodel.conversation_messages", "thread_id"), new Table(THREADS, "id"));
    }

    @Override
    public List<Reference> references() {
        return List.of(new Reference(THREADS, "customer_id", "readmodel.customers"));
    }

    @Override
    public void apply(EventEnvelope event, Statements statements) {
        Timestamp at = occurredAt(event);
        int version = event.eventVersion();
        switch (event.eventType()) {
            case ConversationStarted.TYPE -> {
                ConversationStarted started = EventJson.payload(event, ConversationStarted.class);
                statements.add(STARTED, event.aggregateId(), version, started.customerId(), started.userId(), started.title(), at, at);
            }
            case MessagePosted.TYPE -> {
                MessagePosted message = EventJson.payload(event, MessagePosted.class);
                statements.add(MESSAGE_THREAD, version, at, event.aggregateId(), version);
                statements.add(MESSAGE, event.eventId(), event.aggregateId(), version, message.role(), message.content(),
                        message.metadata() == null ? "{}" : EventJson.toText(message.metadata()), at);
            }
            case ConversationRenamed.TYPE -> {
                ConversationRenamed renamed = EventJson.payload(event, ConversationRenamed.class);
                statements.add(RENAMED, version, renamed.title(), at, event.aggregateId(), version);
            }
            case ConversationContextUpdated.TYPE -> {
                ConversationContextUpdated updated = EventJson.payload(event, ConversationContextUpdated.class);
                statements.add(CONTEXT_UPDATED, version, EventJson.toText(updated.context()), at, event.aggregateId(), version);
            }
            case ConversationClosed.TYPE -> statements.add(CLOSED, version, at, at, event.aggregateId(), version);
            default -> advanceVersion(statements, THREADS, event);
        }
    }
}

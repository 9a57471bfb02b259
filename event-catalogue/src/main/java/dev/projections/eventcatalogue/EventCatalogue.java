package dev.projections.eventcatalogue;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.projections.eventcatalogue.conversation.ConversationClosed;
import dev.projections.eventcatalogue.conversation.ConversationContextUpdated;
import dev.projections.eventcatalogue.conversation.ConversationRenamed;
import dev.projections.eventcatalogue.conversation.ConversationStarted;
import dev.projections.eventcatalogue.conversation.MessagePosted;
import dev.projections.eventcatalogue.customer.CustomerRegistered;
import dev.projections.eventcatalogue.customer.CustomerRenamed;
import dev.projections.eventcatalogue.document.DocumentArchived;
import dev.projections.eventcatalogue.document.DocumentConverted;
import dev.projections.eventcatalogue.document.DocumentDeleted;
import dev.projections.eventcatalogue.document.DocumentUploaded;
import dev.projections.eventcatalogue.document.SemanticIrExtracted;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every aggregate type and its events: the Java record each payload maps onto and the JSON Schema it must
 * satisfy, kept as {@code schemas/<aggregateType>/<EventType>.schema.json} in this module's jar (the
 * files analytics consumers read). The record of an event type is named as the type.
 */
public final class EventCatalogue {

    /** One event type: its aggregate type, its name, its payload record and its schema. */
    public record EventType(String aggregateType, String name, Class<? extends Record> payloadType, JsonSchema schema) {

        public String schemaResource() {
            return schemaResource(aggregateType, name);
        }

        static String schemaResource(String aggregateType, String name) {
            return "schemas/" + aggregateType + "/" + name + ".schema.json";
        }
    }

    /** One thing wrong with a payload: a JSON pointer into it ({@code /sections/0/level}) and why. */
    public record PayloadProblem(String pointer, String message) {
    }

    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final SchemaValidatorsConfig VALIDATION = SchemaValidatorsConfig.builder()
            .pathType(PathType.JSON_POINTER)
            .build();

    // after the schema factory, which building it needs
    public static final EventCatalogue CURRENT = new EventCatalogue()
            .aggregate(AggregateTypes.DOCUMENT, DocumentUploaded.class, DocumentConverted.class, SemanticIrExtracted.class,
                    DocumentArchived.class, DocumentDeleted.class)
            .aggregate(AggregateTypes.CUSTOMER, CustomerRegistered.class, CustomerRenamed.class)
            .aggregate(AggregateTypes.CONVERSATION, ConversationStarted.class, MessagePosted.class, ConversationRenamed.class,
                    ConversationContextUpdated.class, ConversationClosed.class);

    private final Map<String, Map<String, EventType>> types = new LinkedHashMap<>();

    private EventCatalogue() {
    }

    @SafeVarargs
    private EventCatalogue aggregate(String aggregateType, Class<? extends Record>... payloadTypes) {
        Map<String, EventType> events = new LinkedHashMap<>();
        for (Class<? extends Record> payloadType : payloadTypes) {
            String name = payloadType.getSimpleName();
            events.put(name, new EventType(aggregateType, name, payloadType, loadSchema(aggregateType, name)));
        }
        types.put(aggregateType, events);
        return this;
    }

    public List<String> aggregateTypes() {
        return List.copyOf(types.keySet());
    }

    public List<String> eventTypeNames(String aggregateType) {
        return List.copyOf(types.getOrDefault(aggregateType, Map.of()).keySet());
    }

    public boolean hasAggregateType(String aggregateType) {
        return types.containsKey(aggregateType);
    }

    public Optional<EventType> find(String aggregateType, String eventType) {
        return Optional.ofNullable(types.getOrDefault(aggregateType, Map.of()).get(eventType));
    }

    /** Every way the payload breaks its event type's schema, in document order; empty when it is valid. */
    public List<PayloadProblem> validate(EventType type, JsonNode payload) {
        List<PayloadProblem> problems = new ArrayList<>();
        for (ValidationMessage message : type.schema().validate(payload)) {
            String pointer = message.getInstanceLocation().toString();
            String at = "required".equals(message.getType()) && message.getProperty() != null
                    ? pointer + "/" + message.getProperty()
                    : pointer;
            problems.add(new PayloadProblem(at, describe(message)));
        }
        problems.sort(Comparator.comparing(PayloadProblem::pointer));
        return problems;
    }

    private static String describe(ValidationMessage message) {
        return switch (message.getType()) {
            case "required" -> "is required";
            case "additionalProperties" -> "is not a field of this event";
            default -> {
                String text = message.getMessage();
                // the library puts the location first ("/sizeBytes: ..."); the caller names it already
                int colon = text.indexOf(": ");
                yield colon >= 0 && text.startsWith(message.getInstanceLocation().toString()) ? text.substring(colon + 2) : text;
            }
        };
    }

    private static JsonSchema loadSchema(String aggregateType, String name) {
        String resource = EventType.schemaResource(aggregateType, name);
        try (InputStream in = EventCatalogue.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the event catalogue has no schema " + resource);
            }
            return SCHEMAS.getSchema(in, VALIDATION);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}

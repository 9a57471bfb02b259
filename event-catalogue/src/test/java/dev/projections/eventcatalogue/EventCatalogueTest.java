package dev.projections.eventcatalogue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EventCatalogueTest {

    private static final EventCatalogue CATALOGUE = EventCatalogue.CURRENT;

    /** A valid payload of every event type, with every optional field. */
    private static final Map<String, String> SAMPLES = Map.ofEntries(
            Map.entry("DocumentUploaded", """
                    {"title": "T", "filename": "t.pdf", "contentType": "application/pdf", "sizeBytes": 0, "uploadedBy": "u",
                     "customerId": "6f1c1f3e-3f0a-4b8e-9a59-2f0b8c1d2e3f"}"""),
            Map.entry("DocumentConverted", """
                    {"markdownContent": "# T", "sections": [{"heading": "T", "level": 6, "content": "c"}], "metadata": {}}"""),
            Map.entry("SemanticIrExtracted", """
                    {"formulas": [{"name": "f", "expression": "a+b", "variables": {"a": "x"}}],
                     "definitions": [{"term": "t", "definition": "d", "context": "c"}],
                     "tables": [{"name": "n", "tableData": [["a", 1]], "rowCount": 1, "columnCount": 2}],
                     "crossReferences": [{"target": "t", "referenceType": "section", "location": "p. 1"}]}"""),
            Map.entry("DocumentArchived", "{\"reason\": \"r\"}"),
            Map.entry("DocumentDeleted", "{\"reason\": \"r\"}"),
            Map.entry("CustomerRegistered", "{\"code\": \"C-1\", \"name\": \"Acme\"}"),
            Map.entry("CustomerRenamed", "{\"name\": \"Acme Ltd\"}"),
            Map.entry("ConversationStarted", "{\"customerId\": \"6f1c1f3e-3f0a-4b8e-9a59-2f0b8c1d2e3f\", \"userId\": \"u\", \"title\": \"t\"}"),
            Map.entry("MessagePosted", "{\"role\": \"assistant\", \"content\": \"hi\", \"metadata\": {\"model\": \"m\"}}"),
            Map.entry("ConversationRenamed", "{\"title\": \"t\"}"),
            Map.entry("ConversationContextUpdated", "{\"context\": {\"topic\": \"pumps\"}}"),
            Map.entry("ConversationClosed", "{}"));

    /** The optional fields of the catalogue ({@code ?} in the design). */
    private static final Set<String> OPTIONAL = Set.of("DocumentUploaded.customerId", "DocumentConverted.metadata",
            "DocumentArchived.reason", "DocumentDeleted.reason", "ConversationStarted.title", "MessagePosted.metadata");

    @Test
    void givenTheCatalogue_whenListed_thenEveryAggregateTypeAndEventTypeOfTheDesignIsThere() {
        assertThat(CATALOGUE.aggregateTypes()).containsExactly("document", "customer", "conversation");
        assertThat(eventTypes()).extracting(EventCatalogue.EventType::name).containsExactlyInAnyOrderElementsOf(SAMPLES.keySet());
    }

    @Test
    void givenEachEventType_whenItsRecordAndSchemaAreCompared_thenTheyNameTheSameFieldsAndRequireTheSameOnes() throws Exception {
        for (EventCatalogue.EventType type : eventTypes()) {
            JsonNode schema = EventJson.MAPPER.readTree(getClass().getClassLoader().getResourceAsStream(type.schemaResource()));
            Set<String> properties = new HashSet<>();
            schema.get("properties").fieldNames().forEachRemaining(properties::add);
            Set<String> required = new HashSet<>();
            schema.get("required").forEach(name -> required.add(name.asText()));
            Set<String> components = Arrays.stream(type.payloadType().getRecordComponents()).map(RecordComponent::getName)
                    .collect(Collectors.toSet());

            assertThat(properties).as("fields of %s", type.name()).isEqualTo(components);
            assertThat(required).as("required fields of %s", type.name()).isEqualTo(components.stream()
                    .filter(field -> !OPTIONAL.contains(type.name() + "." + field)).collect(Collectors.toSet()));
        }
    }

    @Test
    void givenAValidSampleOfEachEventType_whenValidatedAndMapped_thenItPassesAndFillsItsRecord() throws Exception {
        for (EventCatalogue.EventType type : eventTypes()) {
            JsonNode payload = EventJson.MAPPER.readTree(SAMPLES.get(type.name()));

            assertThat(CATALOGUE.validate(type, payload)).as(type.name()).isEmpty();
            assertThat(EventJson.MAPPER.treeToValue(payload, type.payloadType())).as(type.name()).isNotNull();
        }
    }

    @Test
    void givenAPayloadWithAMissingFieldAWrongTypeAndAnUnknownField_whenValidated_thenEachIsReportedWithItsPointer() throws Exception {
        EventCatalogue.EventType uploaded = CATALOGUE.find("document", "DocumentUploaded").orElseThrow();
        JsonNode payload = EventJson.MAPPER.readTree("""
                {"title": "T", "filename": "t.pdf", "contentType": "application/pdf", "sizeBytes": "big", "tittle": "typo",
                 "customerId": "not-a-uuid"}""");

        List<EventCatalogue.PayloadProblem> problems = CATALOGUE.validate(uploaded, payload);

        assertThat(problems).extracting(EventCatalogue.PayloadProblem::pointer)
                .containsExactly("", "/customerId", "/sizeBytes", "/uploadedBy");
        assertThat(problems).extracting(EventCatalogue.PayloadProblem::message)
                .contains("is required", "string found, integer expected", "is not a field of this event");
    }

    @Test
    void givenALevelOutOfRangeDeepInAList_whenValidated_thenThePointerLeadsToIt() throws Exception {
        EventCatalogue.EventType converted = CATALOGUE.find("document", "DocumentConverted").orElseThrow();

        List<EventCatalogue.PayloadProblem> problems = CATALOGUE.validate(converted,
                EventJson.MAPPER.readTree("{\"markdownContent\": \"\", \"sections\": [{\"heading\": \"h\", \"level\": 7}]}"));

        assertThat(problems).singleElement().satisfies(problem -> {
            assertThat(problem.pointer()).isEqualTo("/sections/0/level");
            assertThat(problem.message()).contains("maximum");
        });
    }

    /** Every event type of the catalogue, aggregate type by aggregate type. */
    private static List<EventCatalogue.EventType> eventTypes() {
        return CATALOGUE.aggregateTypes().stream().flatMap(aggregateType -> CATALOGUE.eventTypeNames(aggregateType).stream()
                .map(name -> CATALOGUE.find(aggregateType, name).orElseThrow())).toList();
    }
}

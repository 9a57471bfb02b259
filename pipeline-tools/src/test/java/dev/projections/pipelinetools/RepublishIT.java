package dev.projections.pipelinetools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventcatalogue.EventTopics;
import dev.projections.eventwriter.EventStore;
import dev.projections.eventwriter.NewEvent;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/** Topic data lost, and made again from the event store while the relay runs, as an operator recovers from it. */
class RepublishIT {

    private static final String DOCUMENTS = EventTopics.forAggregateType("document").name();

    @Test
    void givenTheDocumentTopicDeleted_whenRepublishedWhileTheRelayRuns_thenEveryReadModelRebuiltFromItEqualsItsEvents() throws Exception {
        try (LocalPipeline pipeline = LocalPipeline.start(new LocalPipeline.Setup(0, 0, 0, 0, null, true, Map.of()))) {
            pipeline.awaitReady(Duration.ofMinutes(2));
            EventStore store = new EventStore(pipeline.dataSource());
            List<UUID> before = documents(store, 40);
            await().atMost(Duration.ofMinutes(1)).until(() -> projected(pipeline, before));

            try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", pipeline.bootstrapServers()))) {
                admin.deleteTopics(List.of(DOCUMENTS)).all().get();
                await().atMost(Duration.ofMinutes(1)).until(() -> !admin.listTopics().names().get().contains(DOCUMENTS));
            }
            // written while the topic is gone: the relay publishes them once it has made the topic again
            List<UUID> after = documents(store, 10);

            SharedPipeline.Run republish = SharedPipeline.command(pipeline, "republish");

            assertThat(republish.exit()).as(republish.err()).isZero();
            assertThat(republish.out()).contains("republished 150 events");
            for (String readModel : List.of("document", "semantic-ir")) {
                pipeline.stopProjector(readModel);
                SharedPipeline.Run rebuild = SharedPipeline.command(pipeline, "replay", readModel, "--rebuild", "--wait", "1m");
                assertThat(rebuild.exit()).as(rebuild.out() + rebuild.err()).isZero();
            }
            SharedPipeline.Run verify = SharedPipeline.command(pipeline, "verify", "document");
            assertThat(verify.out()).as(verify.err()).contains("document: 50 aggregates checked, 0 difference(s)");
            SharedPipeline.Run verifyIr = SharedPipeline.command(pipeline, "verify", "semantic-ir");
            assertThat(verifyIr.out()).as(verifyIr.err()).contains("semantic-ir: 50 aggregates checked, 0 difference(s)");
            assertThat(projected(pipeline, after)).isTrue();
        }
    }

    /** New documents, each uploaded, converted and extracted, through the writer's library. */
    private static List<UUID> documents(EventStore store, int count) {
        ObjectNode uploaded = EventJson.MAPPER.createObjectNode().put("title", "Pump manual").put("filename", "pump.pdf")
                .put("contentType", "application/pdf").put("sizeBytes", 2048).put("uploadedBy", "alice");
        ObjectNode converted = (ObjectNode) EventJson.tree("{\"markdownContent\": \"# Pump\", \"sections\": [{\"heading\": \"Pump\", \"level\": 1}]}");
        ObjectNode extracted = (ObjectNode) EventJson.tree("{\"formulas\": [], \"definitions\": [], \"tables\": [], \"crossReferences\": []}");
        return IntStream.range(0, count).mapToObj(i -> {
            UUID id = UUID.randomUUID();
            store.append("document", id, 0, List.of(NewEvent.of("DocumentUploaded", uploaded), NewEvent.of("DocumentConverted", converted),
                    NewEvent.of("SemanticIrExtracted", extracted)));
            return id;
        }).toList();
    }

    private static boolean projected(LocalPipeline pipeline, List<UUID> documents) throws Exception {
        try (Connection connection = pipeline.dataSource().getConnection(); ResultSet rows = connection.createStatement().executeQuery(
                "SELECT count(*) FROM readmodel.semantic_ir_documents WHERE version = 3 AND id IN ('"
                        + String.join("','", documents.stream().map(UUID::toString).toList()) + "')")) {
            rows.next();
            return rows.getInt(1) == documents.size();
        }
    }
}

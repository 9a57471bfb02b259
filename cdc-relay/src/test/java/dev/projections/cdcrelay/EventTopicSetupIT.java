package dev.projections.cdcrelay;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.projections.embeddedservices.EmbeddedKafka;
import dev.projections.eventcatalogue.EventTopics;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class EventTopicSetupIT {

    private static final EventTopics.Topic<String, byte[]> DOCUMENTS = EventTopics.forAggregateType("document");

    private static EmbeddedKafka kafka;
    private static Map<String, Object> client;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start(0, null);
        client = Map.of("bootstrap.servers", kafka.bootstrapServers());
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void givenANewAggregateType_whenItsTopicIsCreated_thenItHasThePartitionsUnlimitedRetentionAndMinInSyncReplicas() throws Exception {
        try (EventTopicSetup topics = new EventTopicSetup(client, 6, (short) -1, -1); Admin admin = Admin.create(client)) {
            topics.ensure(List.of("document"));

            assertThat(admin.describeTopics(List.of(DOCUMENTS.name())).allTopicNames().get().get(DOCUMENTS.name()).partitions()).hasSize(6);
            Config config = config(admin, DOCUMENTS.name());
            assertThat(config.get("retention.ms").value()).isEqualTo("-1");
            assertThat(config.get("retention.bytes").value()).isEqualTo("-1");
            // one broker: min(2, its default replication factor of 1)
            assertThat(config.get("min.insync.replicas").value()).isEqualTo("1");
        }
    }

    @Test
    void givenATopicThatExistedWithOtherSettings_whenTheRelayMeetsIt_thenEachDifferenceIsAWarning() throws Exception {
        ListAppender<ILoggingEvent> warnings = new ListAppender<>();
        warnings.start();
        ((Logger) LoggerFactory.getLogger(EventTopicSetup.class)).addAppender(warnings);
        try (EventTopicSetup topics = new EventTopicSetup(client, 6, (short) -1, -1); Admin admin = Admin.create(client)) {
            admin.createTopics(List.of(new NewTopic(EventTopics.forAggregateType("legacy").name(), Optional.of(3), Optional.empty())
                    .configs(Map.of("retention.ms", "86400000")))).all().get();

            topics.ensure(List.of("legacy"));

            assertThat(warnings.list).extracting(ILoggingEvent::getFormattedMessage).anySatisfy(message -> assertThat(message)
                    .startsWith("topic events.legacy has 3 partitions, not the 6 of topic-partitions"))
                    .anySatisfy(message -> assertThat(message).startsWith("topic events.legacy has retention.ms=86400000: older events leave it"));
        } finally {
            ((Logger) LoggerFactory.getLogger(EventTopicSetup.class)).detachAppender(warnings);
        }
    }

    private static Config config(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource);
    }
}

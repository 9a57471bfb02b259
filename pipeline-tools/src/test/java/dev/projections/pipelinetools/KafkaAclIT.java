package dev.projections.pipelinetools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.projections.cdcrelay.CdcRelayApp;
import dev.projections.cdcrelay.CdcRelayConfig;
import dev.projections.embeddedservices.Certificates;
import dev.projections.embeddedservices.EmbeddedKafka;
import dev.projections.embeddedservices.EmbeddedPostgres;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventcatalogue.EventTopics;
import dev.projections.eventwriter.EventStore;
import dev.projections.eventwriter.NewEvent;
import dev.projections.migrations.Migrations;
import dev.projections.monitoring.Monitoring;
import dev.projections.projectorstreams.ProjectorApp;
import dev.projections.projectorstreams.ProjectorConfig;
import dev.projections.projectorstreams.operations.ProjectorGroup;
import dev.projections.settings.DatabaseSettings;
import dev.projections.settings.KafkaSettings;
import dev.projections.settings.Settings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay and a projector against a broker that authenticates every client (SASL_SSL, SCRAM-SHA-512) and
 * authorizes each request by ACL, with nothing allowed that no ACL allows: each component gets the ACLs of
 * {@link PipelineAcls} and its credentials only through {@code PIPELINE_KAFKA_CLIENT_*}, and can do its work
 * and nothing else.
 */
class KafkaAclIT {

    private static final String ADMIN = "admin";
    private static final String RELAY = "relay";
    private static final String PROJECTOR = "projector-document";
    /** A topic of some other application on the same cluster. */
    private static final String FOREIGN_TOPIC = "billing.invoices";
    private static final EventTopics.Topic<String, byte[]> DOCUMENTS = EventTopics.forAggregateType("document");

    @TempDir
    static Path directory;
    private static Certificates.Issued tls;
    private static Map<String, String> passwords;
    private static EmbeddedKafka kafka;
    private static EmbeddedPostgres postgres;
    private static Monitoring monitoring;
    private static CdcRelayApp relay;
    private static ProjectorConfig projectorConfig;
    private static ProjectorApp projector;

    @BeforeAll
    static void start() throws Exception {
        tls = Certificates.authority("pipeline test authority").issue(directory, "kafka", List.of("localhost", "127.0.0.1"));
        passwords = Map.of(ADMIN, secret(), RELAY, secret(), PROJECTOR, secret());
        kafka = EmbeddedKafka.start(0, null, new EmbeddedKafka.Security(tls, passwords, List.of(ADMIN)));
        postgres = EmbeddedPostgres.start(0, null);
        Migrations.migrate(postgres.dataSource());
        try (Admin admin = Admin.create(client(ADMIN))) {
            admin.createAcls(PipelineAcls.bindings(PipelineAcls.relay("User:" + RELAY, "pipeline.relay.offsets"))).all().get();
            admin.createAcls(PipelineAcls.bindings(PipelineAcls.projector("User:" + PROJECTOR, "pipeline-projector-document"))).all().get();
            admin.createTopics(List.of(new NewTopic(FOREIGN_TOPIC, 1, (short) 1))).all().get();
        }
        monitoring = new Monitoring("kafka-acl-it");
        relay = CdcRelayApp.start(CdcRelayConfig.from(settings(), relayEnvironment()), monitoring);
        await().atMost(Duration.ofSeconds(30)).until(relay::isActive);
        projectorConfig = ProjectorConfig.from("document", settings(), projectorEnvironment());
        projector = ProjectorApp.start(projectorConfig, monitoring);
        await().atMost(Duration.ofSeconds(30)).until(() -> projector.isRunning() || projector.failure().isDone());
        assertThat(projector.failure()).isNotDone();
    }

    @AfterAll
    static void stop() {
        if (projector != null) {
            projector.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (monitoring != null) {
            monitoring.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void givenTheRelayAndAProjectorWithTheirOwnAcls_whenEventsAreWritten_thenTheyReachTheReadModel() throws Exception {
        UUID first = upload();
        await().atMost(Duration.ofSeconds(20)).until(() -> versionOf(first) == 1);

        // a relay started again finds its topics and its offsets there: it describes what exists rather than creating it
        relay.close();
        relay = CdcRelayApp.start(CdcRelayConfig.from(settings(), relayEnvironment()), monitoring);
        UUID second = upload();
        await().atMost(Duration.ofSeconds(20)).until(() -> versionOf(second) == 1);

        // what bin/pipeline replay and status ask of the group (members, committed and end offsets, the oldest
        // event not applied), with the projector's credentials
        try (ProjectorGroup group = new ProjectorGroup(projectorConfig)) {
            assertThat(group.members()).hasSize(1);
            assertThat(group.lag()).hasSize(6);
        }
    }

    @Test
    void givenTheRelaysCredentials_whenTheyWriteAnotherTopicOrReadTheEvents_thenKafkaRefusesThem() {
        try (KafkaProducer<String, String> producer = producer(RELAY)) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(FOREIGN_TOPIC, "key", "value")).get())
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TopicAuthorizationException.class)
                    .hasMessage("Not authorized to access topics: [" + FOREIGN_TOPIC + "]");
        }
        try (KafkaConsumer<String, String> consumer = consumer(RELAY, "pipeline-projector-document")) {
            consumer.subscribe(List.of(DOCUMENTS.name()));
            assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(5))).isInstanceOf(GroupAuthorizationException.class)
                    .hasMessage("Not authorized to access group: pipeline-projector-document");
        }
        try (KafkaConsumer<String, String> consumer = consumer(RELAY, null)) {
            consumer.assign(List.of(new TopicPartition(DOCUMENTS.name(), 0)));
            consumer.seekToBeginning(consumer.assignment());
            assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(5))).isInstanceOf(TopicAuthorizationException.class)
                    .hasMessage("Not authorized to access topics: [" + DOCUMENTS.name() + "]");
        }
    }

    @Test
    void givenAProjectorsCredentials_whenTheyWriteTheEventsOrJoinAnotherGroup_thenKafkaRefusesThem() {
        try (KafkaProducer<String, String> producer = producer(PROJECTOR)) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(DOCUMENTS.name(), "key", "value")).get())
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TopicAuthorizationException.class)
                    .hasMessage("Not authorized to access topics: [" + DOCUMENTS.name() + "]");
        }
        try (KafkaConsumer<String, String> consumer = consumer(PROJECTOR, "pipeline-projector-customer")) {
            consumer.subscribe(List.of(DOCUMENTS.name()));
            assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(5))).isInstanceOf(GroupAuthorizationException.class)
                    .hasMessage("Not authorized to access group: pipeline-projector-customer");
        }
    }

    @Test
    void givenAClientWithAWrongPassword_whenItConnects_thenItsAuthenticationFails() {
        Map<String, Object> config = client(RELAY);
        config.put("sasl.jaas.config", jaas(RELAY, "not-" + passwords.get(RELAY)));

        assertThatThrownBy(() -> listTopics(config)).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(SaslAuthenticationException.class)
                .hasMessageContaining("invalid credentials with SASL mechanism " + EmbeddedKafka.SCRAM_MECHANISM);
    }

    @Test
    void givenAClientWithoutCredentials_whenItConnectsInPlainTextOrOverTlsAlone_thenItGetsNoAnswer() {
        Map<String, Object> plain = Map.of("bootstrap.servers", kafka.bootstrapServers());
        Map<String, Object> tlsAlone = Map.of("bootstrap.servers", kafka.bootstrapServers(), "security.protocol", "SSL",
                "ssl.truststore.type", "PEM", "ssl.truststore.location", tls.authority().toString());

        for (Map<String, Object> config : List.of(plain, tlsAlone)) {
            assertThatThrownBy(() -> listTopics(config)).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(TimeoutException.class).hasMessageContaining("Timed out waiting for a node assignment");
        }
    }

    private static UUID upload() {
        UUID document = UUID.randomUUID();
        new EventStore(postgres.dataSource()).append("document", document, 0, List.of(NewEvent.of("DocumentUploaded",
                EventJson.tree("{\"title\": \"Pump manual\", \"filename\": \"pump.pdf\", \"contentType\": \"application/pdf\", "
                        + "\"sizeBytes\": 2048, \"uploadedBy\": \"alice\"}"))));
        return document;
    }

    private static Set<String> listTopics(Map<String, Object> config) throws Exception {
        Map<String, Object> impatient = new HashMap<>(config);
        impatient.put("default.api.timeout.ms", 3000);
        impatient.put("request.timeout.ms", 2000);
        try (Admin admin = Admin.create(impatient)) {
            return admin.listTopics().names().get();
        }
    }

    private static KafkaProducer<String, String> producer(String user) {
        Map<String, Object> config = client(user);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 4000);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    /** @param group null for a consumer of assigned partitions, in no group */
    private static KafkaConsumer<String, String> consumer(String user, String group) {
        Map<String, Object> config = client(user);
        if (group != null) {
            config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
    }

    private static String secret() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static Settings settings() {
        return Settings.of(Map.of(DatabaseSettings.URL, postgres.jdbcUrl(), KafkaSettings.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                ProjectorConfig.STATE_DIR, directory.resolve("streams").toString()), Map.of());
    }

    /** The relay trusts the broker's authority as a PEM file. */
    private static Map<String, String> relayEnvironment() {
        return Map.of("PIPELINE_KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL",
                "PIPELINE_KAFKA_CLIENT_SASL_MECHANISM", EmbeddedKafka.SCRAM_MECHANISM,
                "PIPELINE_KAFKA_CLIENT_SASL_JAAS_CONFIG", jaas(RELAY, passwords.get(RELAY)),
                "PIPELINE_KAFKA_CLIENT_SSL_TRUSTSTORE_TYPE", "PEM",
                "PIPELINE_KAFKA_CLIENT_SSL_TRUSTSTORE_LOCATION", tls.authority().toString());
    }

    /** The projector trusts it through a PKCS#12 trust store. */
    private static Map<String, String> projectorEnvironment() {
        return Map.of("PIPELINE_KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL",
                "PIPELINE_KAFKA_CLIENT_SASL_MECHANISM", EmbeddedKafka.SCRAM_MECHANISM,
                "PIPELINE_KAFKA_CLIENT_SASL_JAAS_CONFIG", jaas(PROJECTOR, passwords.get(PROJECTOR)),
                "PIPELINE_KAFKA_CLIENT_SSL_TRUSTSTORE_TYPE", "PKCS12",
                "PIPELINE_KAFKA_CLIENT_SSL_TRUSTSTORE_LOCATION", tls.trustStore().toString(),
                "PIPELINE_KAFKA_CLIENT_SSL_TRUSTSTORE_PASSWORD", tls.password());
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\"" + password + "\";";
    }

    /** A client of one user, as the components make theirs. */
    private static Map<String, Object> client(String user) {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", kafka.bootstrapServers());
        config.put("security.protocol", "SASL_SSL");
        config.put("sasl.mechanism", EmbeddedKafka.SCRAM_MECHANISM);
        config.put("sasl.jaas.config", jaas(user, passwords.get(user)));
        config.put("ssl.truststore.type", "PEM");
        config.put("ssl.truststore.location", tls.authority().toString());
        return config;
    }

    private static int versionOf(UUID document) throws Exception {
        try (Connection connection = postgres.dataSource().getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT version FROM readmodel.document_views WHERE id = ?")) {
            select.setObject(1, document);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? rows.getInt(1) : 0;
            }
        }
    }
}

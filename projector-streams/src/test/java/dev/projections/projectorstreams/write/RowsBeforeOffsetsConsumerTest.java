package dev.projections.projectorstreams.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventTopics;
import dev.projections.projectorstreams.EventFixtures;
import dev.projections.projectorstreams.document.DocumentProjection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the consumer seam does with commits Kafka Streams 4.3 does not make: it refuses them, loudly, before any offset moves. */
class RowsBeforeOffsetsConsumerTest {

    private static final String DOCUMENTS = EventTopics.forAggregateType("document").name();
    private static final TopicPartition PARTITION = new TopicPartition(DOCUMENTS, 2);

    // no database: the calling thread holds no batch, so nothing is applied
    private final PendingBatches batches = new PendingBatches(new BatchTransaction(new DocumentProjection(), "document"), null,
            new ProjectionMetrics("document", new SimpleMeterRegistry()), Duration.ofMillis(25));
    private final CountDownLatch done = new CountDownLatch(1);

    @AfterEach
    void release() {
        done.countDown();
    }

    @Test
    void givenAnotherThreadsEventsWithoutRows_whenOffsetsPastThemAreCommitted_thenTheProjectorStopsBeforeTheOffsetsMove() throws Exception {
        holdInAnotherThread(PARTITION, 40);

        try (RowsBeforeOffsetsConsumer consumer = new RowsBeforeOffsetsConsumer(config("false"), batches)) {
            assertThatThrownBy(() -> consumer.commitSync(Map.of(PARTITION, new OffsetAndMetadata(41))))
                    .isInstanceOf(ProjectionFailedException.class)
                    .hasMessageContaining("offset 41 of events.document-2 was to be committed while its events from offset 40 on have no rows"
                            + " committed (in the batch of holder)");
        }
    }

    @Test
    void givenAnotherThreadsEventsWithoutRows_whenOffsetsUpToThemOrOfOtherPartitionsAreChecked_thenTheyMayBeCommitted() throws Exception {
        holdInAnotherThread(PARTITION, 40);

        batches.checkCommittable(Map.of(PARTITION, new OffsetAndMetadata(40), new TopicPartition(DOCUMENTS, 3),
                new OffsetAndMetadata(900)));
    }

    @Test
    void givenAKafkaStreamsThatCommitsAnyOtherWay_whenItCommits_thenTheCallIsRefusedNamingIt() {
        try (RowsBeforeOffsetsConsumer consumer = new RowsBeforeOffsetsConsumer(config("false"), batches)) {
            assertThatThrownBy(consumer::commitAsync).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageStartingWith("Kafka Streams committed offsets through commitAsync(), which a projector does not expect");
            assertThatThrownBy(consumer::commitSync).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> consumer.commitSync(Duration.ofSeconds(1))).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> consumer.commitSync(Map.of(PARTITION, new OffsetAndMetadata(1)), Duration.ofSeconds(1)))
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> consumer.commitAsync((offsets, error) -> { })).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> consumer.commitAsync(Map.of(PARTITION, new OffsetAndMetadata(1)), (offsets, error) -> { }))
                    .isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void givenAMainConsumerThatWouldCommitByItself_whenCreated_thenItIsRefused() {
        assertThatThrownBy(() -> new RowsBeforeOffsetsConsumer(config("true"), batches)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("must not commit by itself").hasMessageContaining("enable.auto.commit=true");
    }

    /** A stream thread that read an event of the partition at the offset and has not committed its rows. */
    private void holdInAnotherThread(TopicPartition partition, long offset) throws InterruptedException {
        EventEnvelope event = EventFixtures.document().next("DocumentUploaded", EventFixtures.UPLOADED);
        CountDownLatch added = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            batches.add(Delivery.of(new RecordOrigin(partition.topic(), partition.partition(), offset), event));
            added.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "holder");
        holder.start();
        added.await();
        assertThat(batches.size()).as("the calling thread's own batch").isZero();
    }

    private static Map<String, Object> config(String autoCommit) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "rows-before-offsets-test");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, autoCommit);
        return config;
    }
}

package dev.projections.projectorstreams.write;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;

/**
 * The seam that makes a read model's rows commit before the offsets of their events: a stream thread's main
 * consumer, handed to Kafka Streams by {@link Supplier}, that commits the thread's batch
 * ({@link PendingBatches#commit}) before any offset.
 *
 * <p>Why here: Kafka Streams has no public hook that runs before a task's offsets are committed
 * ({@code StateStore.commit} runs at checkpoint, after them). What this relies on, as Kafka Streams 4.3 does
 * it with {@code processing.guarantee=at_least_once} and {@code group.protocol=classic} (both forced by
 * {@code ProjectorConfig}):
 * <ul>
 *   <li>a task's offsets are committed only by {@code TaskManager}, through this consumer's
 *       {@link #commitSync(Map)}, on the stream thread whose processors read the records: at its commit
 *       interval, when a processor asks ({@code context.commit()}), and before partitions are revoked;
 *   <li>the consumer never commits by itself: Streams turns {@code enable.auto.commit} off;
 *   <li>partitions lost (this member dropped from the group) close their tasks without a commit, then the
 *       thread unsubscribes: their records are the next owner's to apply.
 * </ul>
 * Every other commit method is refused, and before every commit {@link PendingBatches#checkCommittable}
 * checks that no live thread holds an uncommitted event below the offsets: a Kafka Streams that committed
 * another way stops the projector loudly instead of passing rows silently. {@code RowsBeforeOffsetsIT} pins
 * this against a real broker.
 *
 * <p>It also applies the batch before {@link #poll} waits when no more records are at hand, or once the
 * batch is a commit interval old, so that an event's rows do not wait for the next offset commit.
 */
public final class RowsBeforeOffsetsConsumer extends KafkaConsumer<byte[], byte[]> {

    private final PendingBatches batches;

    RowsBeforeOffsetsConsumer(Map<String, Object> config, PendingBatches batches) {
        super(withoutAutoCommit(config), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.batches = batches;
    }

    private static Map<String, Object> withoutAutoCommit(Map<String, Object> config) {
        if (!"false".equals(String.valueOf(config.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG)))) {
            throw new IllegalStateException("a projector's main consumer must not commit by itself, and Kafka Streams gave it "
                    + ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG + "=" + config.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG));
        }
        return config;
    }

    @Override
    public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        if (batches.size() > 0) {
            if (!batches.due()) {
                ConsumerRecords<byte[], byte[]> atHand = super.poll(Duration.ZERO);
                if (!atHand.isEmpty()) {
                    return atHand;
                }
            }
            batches.commit();
        }
        return super.poll(timeout);
    }

    /** The one commit Kafka Streams makes: the thread's rows first, then the offsets, once no event below them lacks its rows. */
    @Override
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        batches.commit();
        batches.checkCommittable(offsets);
        super.commitSync(offsets);
    }

    @Override
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
        throw unexpected("commitSync(offsets, timeout)");
    }

    @Override
    public void commitSync() {
        throw unexpected("commitSync()");
    }

    @Override
    public void commitSync(Duration timeout) {
        throw unexpected("commitSync(timeout)");
    }

    @Override
    public void commitAsync() {
        throw unexpected("commitAsync()");
    }

    @Override
    public void commitAsync(OffsetCommitCallback callback) {
        throw unexpected("commitAsync(callback)");
    }

    @Override
    public void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
        throw unexpected("commitAsync(offsets, callback)");
    }

    private static UnsupportedOperationException unexpected(String call) {
        return new UnsupportedOperationException("Kafka Streams committed offsets through " + call + ", which a projector does not "
                + "expect (only commitSync(offsets) commits its read model's rows first); it stops rather than pass rows not committed");
    }

    /** Streams unsubscribes right after losing all its tasks (closed dirty): their records are the next owner's to apply. */
    @Override
    public void unsubscribe() {
        batches.rollback();
        super.unsubscribe();
    }

    @Override
    public void subscribe(Collection<String> topics, ConsumerRebalanceListener listener) {
        super.subscribe(topics, rollingBackOnLoss(listener));
    }

    @Override
    public void subscribe(Pattern pattern, ConsumerRebalanceListener listener) {
        super.subscribe(pattern, rollingBackOnLoss(listener));
    }

    private ConsumerRebalanceListener rollingBackOnLoss(ConsumerRebalanceListener listener) {
        return new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                listener.onPartitionsRevoked(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                listener.onPartitionsAssigned(partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                listener.onPartitionsLost(partitions);
                batches.rollback();
            }
        };
    }

    /** Kafka's clients for a projector: its main consumers commit the read model first; the others are Kafka's own. */
    public static final class Supplier implements KafkaClientSupplier {

        private final PendingBatches batches;

        public Supplier(PendingBatches batches) {
            this.batches = batches;
        }

        @Override
        public Admin getAdmin(Map<String, Object> config) {
            return Admin.create(config);
        }

        @Override
        public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
            return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
            return new RowsBeforeOffsetsConsumer(config, batches);
        }

        @Override
        public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
            return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }

        @Override
        public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
            return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }
    }
}

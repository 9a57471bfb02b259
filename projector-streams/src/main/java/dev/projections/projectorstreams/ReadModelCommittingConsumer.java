package dev.projections.projectorstreams;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A stream thread's main consumer, which applies and commits the thread's batch of events in the read
 * model before it commits any offset. Kafka Streams commits offsets only through its main consumer, on the
 * stream thread that read the events; should the batch fail to commit, no offset is committed. The batch
 * is applied sooner too, when the thread asks for more records and none are at hand (see {@link #poll}).
 */
final class ReadModelCommittingConsumer extends KafkaConsumer<byte[], byte[]> {

    private final ReadModelTransactions transactions;

    ReadModelCommittingConsumer(Map<String, Object> config, ReadModelTransactions transactions) {
        super(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.transactions = transactions;
    }

    /**
     * Streams unsubscribes right after losing all its tasks (closed dirty, to be read again): what they
     * read is the tasks' next owner's to apply, not this thread's at its next commit.
     */
    @Override
    public void unsubscribe() {
        transactions.rollback();
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
                transactions.rollback();
            }
        };
    }

    /**
     * Applies the thread's batch before waiting for more records when none are at hand, or when the batch
     * is a commit interval old: an event's rows do not wait for the next offset commit, and while records
     * keep coming they gather into batches of up to a commit interval.
     */
    @Override
    public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        if (transactions.size() > 0) {
            if (!transactions.due()) {
                ConsumerRecords<byte[], byte[]> atHand = super.poll(Duration.ZERO);
                if (!atHand.isEmpty()) {
                    return atHand;
                }
            }
            transactions.commit();
        }
        return super.poll(timeout);
    }

    @Override
    public void commitSync() {
        transactions.commit();
        super.commitSync();
    }

    @Override
    public void commitSync(Duration timeout) {
        transactions.commit();
        super.commitSync(timeout);
    }

    @Override
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        transactions.commit();
        super.commitSync(offsets);
    }

    @Override
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
        transactions.commit();
        super.commitSync(offsets, timeout);
    }

    @Override
    public void commitAsync() {
        transactions.commit();
        super.commitAsync();
    }

    @Override
    public void commitAsync(OffsetCommitCallback callback) {
        transactions.commit();
        super.commitAsync(callback);
    }

    @Override
    public void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
        transactions.commit();
        super.commitAsync(offsets, callback);
    }
}

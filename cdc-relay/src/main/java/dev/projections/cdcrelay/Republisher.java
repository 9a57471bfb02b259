package dev.projections.cdcrelay;

import com.zaxxer.hikari.HikariDataSource;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventTopics;
import dev.projections.eventcatalogue.StoredEvents;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The event store's events published to their topics again ({@code bin/pipeline republish}), as the relay
 * publishes them: the same envelope, key, headers and timestamp, in sequence order, so that each aggregate's
 * events follow one another on its partition. It runs while the relays do: it has them stand by (the slot's
 * pause lock, see {@link SlotLeadership}) and holds the slot's lock while it publishes, so that no relay
 * publishes an aggregate's newer event before this has published its older ones. It reads one snapshot of
 * the store; what is appended meanwhile waits in the slot, and the relays publish it after, from where they
 * stopped (some of it twice, which projectors pass over).
 */
public final class Republisher {

    /** What a re-publication did: events published, and the first and last of their sequences. */
    public record Published(long events, long firstSequence, long lastSequence) {
    }

    private static final int PAGE = 5_000;

    private final CdcRelayConfig config;

    public Republisher(CdcRelayConfig config) {
        this.config = config;
    }

    /** How many events of sequence {@code from} or later the store holds now. */
    public long count(long from) throws SQLException {
        try (HikariDataSource dataSource = config.database().pool("republish-count", 1);
                Connection connection = dataSource.getConnection();
                PreparedStatement count = connection.prepareStatement("SELECT count(*) FROM eventstore.events WHERE sequence >= ?")) {
            count.setLong(1, from);
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /**
     * @param from the first sequence to publish; 1 for every event
     * @param patience how long the active relay may take to stand by
     * @param progress told the count of events published so far, after each page
     * @throws IllegalStateException the active relay did not stand by in time, or Kafka did not acknowledge an event
     */
    public Published republish(long from, Duration patience, LongConsumer progress) throws SQLException, InterruptedException {
        List<SlotLeadership> leaderships = new ArrayList<>();
        try (EventTopicSetup topics = new EventTopicSetup(config.kafka().clientConfig(), config.topicPartitions(),
                        config.topicReplicationFactor(), config.topicMinInSyncReplicas());
                HikariDataSource dataSource = config.database().pool("republish", 1);
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig(), new StringSerializer(),
                        new ByteArraySerializer())) {
            // every shard's relays stand by: the events are published again in sequence order, each after those before it
            for (CdcRelayConfig shard : config.perShard()) {
                SlotLeadership leadership = new SlotLeadership(config.database(), shard.slotName(), Duration.ofMillis(200));
                leaderships.add(leadership);
                if (!leadership.pauseRelays(patience)) {
                    throw new IllegalStateException("the relay streaming from slot " + shard.slotName() + " did not stand by within "
                            + patience.toSeconds() + " s; is it alive? (bin/pipeline status)");
                }
            }
            try (Connection connection = dataSource.getConnection()) {
                // one snapshot: what is appended meanwhile is the relays' to publish, after this
                connection.setAutoCommit(false);
                connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                connection.setReadOnly(true);
                long published = 0;
                long first = -1;
                long after = from - 1;
                for (List<EventEnvelope> page = StoredEvents.asStored(connection, after, PAGE); !page.isEmpty();
                        page = StoredEvents.asStored(connection, after, PAGE)) {
                    publish(producer, topics, page);
                    first = first < 0 ? page.get(0).sequence() : first;
                    after = page.get(page.size() - 1).sequence();
                    published += page.size();
                    progress.accept(published);
                }
                connection.commit();
                return new Published(published, first, after);
            }
        } finally {
            leaderships.forEach(SlotLeadership::close);
        }
    }

    /**
     * The relay's producer, with one request in flight at a time instead of the idempotent producer's
     * sequence numbers: topics made again just now (their partitions' leaders still settling) have had the
     * idempotent producer's retries refused as out of order. A retry may write an event twice, in order,
     * which consumers pass over.
     */
    private Map<String, Object> producerConfig() {
        Map<String, Object> producer = config.producerConfig("pipeline-republish");
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        producer.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        return producer;
    }

    private void publish(KafkaProducer<String, byte[]> producer, EventTopicSetup topics, List<EventEnvelope> events)
            throws InterruptedException {
        topics.ensure(events.stream().map(EventEnvelope::aggregateType).collect(Collectors.toSet()));
        List<Future<RecordMetadata>> acks = new ArrayList<>(events.size());
        for (EventEnvelope event : events) {
            acks.add(producer.send(EventTopics.record(event)));
        }
        producer.flush();
        for (int i = 0; i < acks.size(); i++) {
            try {
                acks.get(i).get();
            } catch (ExecutionException e) {
                EventEnvelope event = events.get(i);
                throw new IllegalStateException("Kafka did not acknowledge event " + event.sequence() + " (" + event.eventType() + " of "
                        + event.aggregateId() + "): " + e.getCause().getMessage() + "; republish again from sequence " + event.sequence(),
                        e.getCause());
            }
        }
    }
}

package dev.projections.projectorstreams.operations;

import dev.projections.projectorstreams.ProjectorConfig;
import dev.projections.eventcatalogue.EventTopics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A projector's consumer group, as an operator sees it: its members, its committed offsets and lag, and
 * the offsets it can be rewound to. Rewinding goes through the Kafka admin API, with the same effect as
 * {@code kafka-consumer-groups --reset-offsets}, and like it only while the group has no active member.
 */
public final class ProjectorGroup implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** A consumer of the group: who it is and which partitions it holds. */
    public record Member(String clientId, String host, List<TopicPartition> partitions) {
    }

    /** How far one partition is behind: in events, and as the age of its oldest event not yet applied. */
    public record PartitionLag(TopicPartition partition, Long committed, long end, long events, long millis) {
    }

    private final String groupId;
    private final List<String> topics;
    private final Admin admin;
    private final Map<String, Object> clientConfig;
    private List<TopicPartition> partitions;

    public ProjectorGroup(ProjectorConfig config) {
        this.groupId = config.applicationId();
        this.topics = EventTopics.forAggregateTypes(config.projection().aggregateTypes()).stream().map(EventTopics.Topic::name).toList();
        this.clientConfig = config.kafka().clientConfig();
        this.admin = Admin.create(clientConfig);
    }

    public String groupId() {
        return groupId;
    }

    /** The group's partitions; read once, since a topic's partition count never changes. */
    public synchronized List<TopicPartition> partitions() {
        if (partitions == null) {
            partitions = describePartitions();
        }
        return partitions;
    }

    private List<TopicPartition> describePartitions() {
        Map<String, org.apache.kafka.clients.admin.TopicDescription> descriptions = get(admin.describeTopics(topics).allTopicNames());
        List<TopicPartition> found = new ArrayList<>();
        descriptions.values().forEach(topic -> topic.partitions()
                .forEach(partition -> found.add(new TopicPartition(topic.name(), partition.partition()))));
        found.sort((a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition()) : a.topic().compareTo(b.topic()));
        return List.copyOf(found);
    }

    public String state() {
        return describe().groupState().toString();
    }

    /** The group's members; none when the group does not exist yet (or no more). */
    public List<Member> members() {
        ConsumerGroupDescription description;
        try {
            description = describe();
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return List.of();
            }
            throw e;
        }
        return description.members().stream()
                .map((MemberDescription member) -> new Member(member.clientId(), member.host(),
                        List.copyOf(member.assignment().topicPartitions())))
                .toList();
    }

    private ConsumerGroupDescription describe() {
        return get(admin.describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId));
    }

    /** The committed offset of each partition; absent for a partition the group never committed. */
    public Map<TopicPartition, Long> committedOffsets() {
        Map<TopicPartition, OffsetAndMetadata> committed = get(admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata());
        Map<TopicPartition, Long> offsets = new HashMap<>();
        committed.forEach((partition, offset) -> {
            if (offset != null && topics.contains(partition.topic())) {
                offsets.put(partition, offset.offset());
            }
        });
        return offsets;
    }

    public Map<TopicPartition, Long> earliestOffsets() {
        return listOffsets(partitions(), partition -> OffsetSpec.earliest());
    }

    public Map<TopicPartition, Long> endOffsets() {
        return listOffsets(partitions(), partition -> OffsetSpec.latest());
    }

    /** Per partition, the first offset whose event occurred at or after the time (its end when none did). */
    public Map<TopicPartition, Long> offsetsAt(Instant time) {
        Map<TopicPartition, Long> atTime = listOffsets(partitions(), partition -> OffsetSpec.forTimestamp(time.toEpochMilli()));
        Map<TopicPartition, Long> end = endOffsets();
        atTime.replaceAll((partition, offset) -> offset < 0 ? end.get(partition) : offset);
        return atTime;
    }

    /**
     * Per partition, the first offset whose event has the sequence or a later one (its end when none has).
     * Sequences are taken at insert and published at commit, so they are not sorted within a partition:
     * each partition is read from its start.
     */
    public Map<TopicPartition, Long> offsetsAtSequence(long sequence) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        Map<TopicPartition, Long> end = endOffsets();
        try (KafkaConsumer<byte[], byte[]> consumer = reader()) {
            for (TopicPartition partition : partitions()) {
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                Long found = null;
                while (found == null && consumer.position(partition) < end.get(partition)) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
                        if (sequenceOf(record) >= sequence) {
                            found = record.offset();
                            break;
                        }
                    }
                }
                offsets.put(partition, found != null ? found : end.get(partition));
            }
        }
        return offsets;
    }

    /** @throws IllegalStateException while the group has active members, as Kafka itself refuses */
    public void resetOffsets(Map<TopicPartition, Long> offsets) {
        List<Member> members = members();
        if (!members.isEmpty()) {
            throw new IllegalStateException(activeMembersMessage(members));
        }
        Map<TopicPartition, OffsetAndMetadata> target = offsets.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, entry -> new OffsetAndMetadata(entry.getValue())));
        get(admin.alterConsumerGroupOffsets(groupId, target).all());
    }

    /** Deletes the group and its committed offsets, if it exists; Kafka refuses while it has members. */
    public void delete() {
        try {
            get(admin.deleteConsumerGroups(List.of(groupId)).all());
        } catch (IllegalStateException e) {
            if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                throw e;
            }
        }
    }

    public String activeMembersMessage(List<Member> members) {
        return "projector group " + groupId + " has " + members.size() + " active member(s) ("
                + members.stream().map(member -> member.clientId() + "@" + member.host()).collect(Collectors.joining(", "))
                + "); stop its projectors first";
    }

    /** Lag per partition; the age in milliseconds is that of the first event not yet applied. */
    public List<PartitionLag> lag() {
        Map<TopicPartition, Long> committed = committedOffsets();
        Map<TopicPartition, Long> earliest = earliestOffsets();
        Map<TopicPartition, Long> end = endOffsets();
        List<PartitionLag> lags = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = reader()) {
            for (TopicPartition partition : partitions()) {
                Long position = committed.get(partition);
                long from = position != null ? position : earliest.get(partition);
                long events = Math.max(0, end.get(partition) - from);
                long millis = 0;
                if (events > 0) {
                    consumer.assign(List.of(partition));
                    consumer.seek(partition, from);
                    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    boolean found = false;
                    while (!found && System.nanoTime() < deadline) {
                        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                            millis = Math.max(0, System.currentTimeMillis() - record.timestamp());
                            found = true;
                            break;
                        }
                    }
                }
                lags.add(new PartitionLag(partition, position, end.get(partition), events, millis));
            }
        }
        return lags;
    }

    /** The highest event sequence in the group's topics: how far the relay has published. */
    public long lastPublishedSequence() {
        return lastSequence(partitions(), earliestOffsets(), endOffsets());
    }

    private long lastSequence(Collection<TopicPartition> partitions, Map<TopicPartition, Long> earliest, Map<TopicPartition, Long> end) {
        long last = -1;
        try (KafkaConsumer<byte[], byte[]> consumer = reader()) {
            for (TopicPartition partition : partitions) {
                long offset = end.get(partition);
                if (offset <= earliest.get(partition)) {
                    continue;
                }
                consumer.assign(List.of(partition));
                // a stretch back, since a batch sent again after a relay's crash may end the partition
                consumer.seek(partition, Math.max(earliest.get(partition), offset - 1000));
                while (consumer.position(partition) < offset) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
                        last = Math.max(last, sequenceOf(record));
                    }
                }
            }
        }
        return last;
    }

    private Map<TopicPartition, Long> listOffsets(List<TopicPartition> partitions, Function<TopicPartition, OffsetSpec> spec) {
        Map<TopicPartition, OffsetSpec> request = partitions.stream().collect(Collectors.toMap(partition -> partition, spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = get(admin.listOffsets(request).all());
        Map<TopicPartition, Long> offsets = new HashMap<>();
        result.forEach((partition, info) -> offsets.put(partition, info.offset()));
        return offsets;
    }

    private KafkaConsumer<byte[], byte[]> reader() {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static long sequenceOf(ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader(EventTopics.HEADER_SEQUENCE);
        return header == null ? -1 : Long.parseLong(new String(header.value(), StandardCharsets.UTF_8));
    }

    private static <T> T get(org.apache.kafka.common.KafkaFuture<T> future) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within " + TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}

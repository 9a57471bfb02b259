package dev.projections.pipelinetools.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.projections.eventcatalogue.EventJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The event topics read back from the start, as an analytics consumer reads them, and checked by the rule
 * consumers rely on (docs/topics.md): within each aggregate's partition, a version is new only right after the
 * one before it. A version seen again is a repeat, which the contract allows; one that comes before its
 * predecessor is out of order; one never seen is missing.
 */
public record TopicOrder(long records, int aggregates, long repeated, List<String> outOfOrder, List<String> missing) {

    /**
     * @param expected each aggregate's last version in the event store; the topics must hold every version up to it
     */
    public static TopicOrder check(String bootstrapServers, Map<UUID, Integer> expected) {
        Map<UUID, List<Integer>> seen = read(bootstrapServers);
        long records = 0;
        long repeated = 0;
        List<String> outOfOrder = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<UUID, List<Integer>> aggregate : seen.entrySet()) {
            int highest = 0;
            for (int version : aggregate.getValue()) {
                records++;
                if (version > highest + 1) {
                    outOfOrder.add(aggregate.getKey() + ": v" + version + " after v" + highest);
                } else if (version <= highest) {
                    repeated++;
                }
                highest = Math.max(highest, version);
            }
        }
        expected.forEach((aggregate, last) -> {
            List<Integer> versions = seen.getOrDefault(aggregate, List.of());
            int highest = versions.stream().mapToInt(Integer::intValue).max().orElse(0);
            if (highest < last) {
                missing.add(aggregate + ": v" + (highest + 1) + " to v" + last);
            }
        });
        return new TopicOrder(records, seen.size(), repeated, List.copyOf(outOfOrder), List.copyOf(missing));
    }

    /** Each aggregate's versions in the order its partition holds them, over every {@code events.*} topic. */
    private static Map<UUID, List<Integer>> read(String bootstrapServers) {
        Map<UUID, List<Integer>> versions = new HashMap<>();
        Map<String, Object> config = Map.of("bootstrap.servers", bootstrapServers, "max.partition.fetch.bytes", 4 * 1024 * 1024);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.listTopics().entrySet().stream().filter(topic -> topic.getKey().startsWith("events."))
                    .flatMap(topic -> topic.getValue().stream()).map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode event = EventJson.tree(new String(record.value(), StandardCharsets.UTF_8));
                    versions.computeIfAbsent(UUID.fromString(record.key()), id -> new ArrayList<>()).add(event.get("eventVersion").asInt());
                }
            }
        }
        return versions;
    }

    /** "133,280 events of 41,234 aggregates read back from the topics: none out of order, none missing, 1,204 repeated in order". */
    public String describe() {
        return String.format("%,d events of %,d aggregates read back from the topics: %s out of order, %s missing, %,d repeated in order", records,
                aggregates, outOfOrder.isEmpty() ? "none" : outOfOrder.size() + " (first: " + outOfOrder.get(0) + ")",
                missing.isEmpty() ? "none" : missing.size() + " (first: " + missing.get(0) + ")", repeated);
    }
}

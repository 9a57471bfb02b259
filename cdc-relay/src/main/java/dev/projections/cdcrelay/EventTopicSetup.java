package dev.projections.cdcrelay;

import dev.projections.eventcatalogue.EventTopics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the event topics: a fixed partition count (never changed later, since that would move
 * aggregates between partitions), unlimited retention, so a replay can always start at offset 0, and
 * {@code min.insync.replicas}, so that an acknowledged event ({@code acks=all}) is on that many brokers.
 * Topics that exist already are checked, and each difference is a warning.
 */
final class EventTopicSetup implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventTopicSetup.class);

    private final Admin admin;
    private final int partitions;
    private final short replicationFactor;
    private final int minInSyncReplicas;
    private final Set<String> existing = ConcurrentHashMap.newKeySet();
    private Integer effectiveMinInSync;

    /**
     * @param replicationFactor -1 for the broker's default
     * @param minInSyncReplicas -1 for min(2, the replication factor)
     */
    EventTopicSetup(Map<String, Object> clientConfig, int partitions, short replicationFactor, int minInSyncReplicas) {
        this.admin = Admin.create(clientConfig);
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
        this.minInSyncReplicas = minInSyncReplicas;
    }

    /** Forgets which topics exist: the next {@link #ensure} looks again, and makes one deleted meanwhile anew. */
    void forget() {
        existing.clear();
    }

    void ensure(Collection<String> aggregateTypes) {
        List<String> names = aggregateTypes.stream().map(type -> EventTopics.forAggregateType(type).name()).filter(name -> !existing.contains(name)).toList();
        if (names.isEmpty()) {
            return;
        }
        String minInSync = Integer.toString(minInSync());
        List<NewTopic> missing = names.stream()
                .map(name -> new NewTopic(name, Optional.of(partitions), Optional.of(replicationFactor))
                        .configs(Map.of("retention.ms", "-1", "retention.bytes", "-1", "cleanup.policy", "delete",
                                "min.insync.replicas", minInSync)))
                .toList();
        List<String> found = new ArrayList<>();
        admin.createTopics(missing).values().forEach((name, result) -> {
            try {
                result.get();
                LOG.info("created topic {} with {} partitions, unlimited retention and min.insync.replicas {}", name, partitions, minInSync);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause().getMessage(), e.getCause());
                }
                found.add(name);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topic " + name, e);
            }
        });
        if (!found.isEmpty()) {
            check(found);
        }
        existing.addAll(names);
    }

    /** Topics that existed already: each way they differ from what the relay would create is a warning. */
    private void check(List<String> names) {
        try {
            Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames().get();
            Map<ConfigResource, Config> configs = admin.describeConfigs(names.stream()
                    .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList()).all().get();
            for (String name : names) {
                int found = descriptions.get(name).partitions().size();
                if (found != partitions) {
                    LOG.warn("topic {} has {} partitions, not the {} of topic-partitions: each aggregate still has one partition, "
                            + "but a topic's partition count must never change once it holds events", name, found, partitions);
                }
                Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name));
                for (String retention : List.of("retention.ms", "retention.bytes")) {
                    String value = config.get(retention) == null ? null : config.get(retention).value();
                    if (!"-1".equals(value)) {
                        LOG.warn("topic {} has {}={}: older events leave it, and a replay from the earliest offset no longer starts "
                                + "at the first event; set it to -1", name, retention, value);
                    }
                }
                String minInSync = config.get("min.insync.replicas") == null ? null : config.get("min.insync.replicas").value();
                if (minInSync != null && Integer.parseInt(minInSync) < minInSync()) {
                    LOG.warn("topic {} has min.insync.replicas={}, less than {}: an acknowledged event may live on fewer brokers",
                            name, minInSync, minInSync());
                }
            }
        } catch (ExecutionException e) {
            LOG.warn("cannot check the existing topics {}: {}", names, e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** min.insync.replicas of the topics: as set, or min(2, the replication factor, the broker's default if unset). */
    private synchronized int minInSync() {
        if (effectiveMinInSync == null) {
            int factor = replicationFactor;
            if (minInSyncReplicas > 0) {
                effectiveMinInSync = minInSyncReplicas;
                return effectiveMinInSync;
            }
            if (factor < 1) {
                factor = brokerDefaultReplicationFactor();
            }
            effectiveMinInSync = Math.max(1, Math.min(2, factor));
        }
        return effectiveMinInSync;
    }

    private int brokerDefaultReplicationFactor() {
        try {
            Node broker = admin.describeCluster().nodes().get().iterator().next();
            ConfigResource resource = new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(broker.id()));
            ConfigEntry entry = admin.describeConfigs(List.of(resource)).all().get().get(resource).get("default.replication.factor");
            return entry == null ? 1 : Integer.parseInt(entry.value());
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the brokers' default.replication.factor: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the brokers' default.replication.factor", e);
        }
    }

    @Override
    public void close() {
        admin.close();
    }
}

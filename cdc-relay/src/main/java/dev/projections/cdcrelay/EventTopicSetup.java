package dev.projections.cdcrelay;

import dev.projections.eventcatalogue.EventTopics;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the event topics: a fixed partition count (never changed later, since that would move
 * aggregates between partitions) and unlimited retention, so a replay can always start at offset 0.
 */
final class EventTopicSetup implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventTopicSetup.class);

    private final Admin admin;
    private final int partitions;
    private final short replicationFactor;
    private final Set<String> existing = ConcurrentHashMap.newKeySet();

    EventTopicSetup(Map<String, Object> clientConfig, int partitions, short replicationFactor) {
        this.admin = Admin.create(clientConfig);
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
    }

    void ensure(Collection<String> aggregateTypes) {
        List<NewTopic> missing = aggregateTypes.stream()
                .map(EventTopics::topicName)
                .filter(name -> !existing.contains(name))
                .map(name -> new NewTopic(name, Optional.of(partitions), Optional.of(replicationFactor))
                        .configs(Map.of("retention.ms", "-1", "retention.bytes", "-1", "cleanup.policy", "delete")))
                .toList();
        if (missing.isEmpty()) {
            return;
        }
        admin.createTopics(missing).values().forEach((name, result) -> {
            try {
                result.get();
                LOG.info("created topic {} with {} partitions and unlimited retention", name, partitions);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause().getMessage(), e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topic " + name, e);
            }
            existing.add(name);
        });
    }

    @Override
    public void close() {
        admin.close();
    }
}

package dev.projections.pipelinetools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.projections.cdcrelay.CdcRelayApp;
import dev.projections.cdcrelay.CdcRelayConfig;
import dev.projections.cdcrelay.RelayShards;
import dev.projections.cdcrelay.Resharding;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventwriter.EventStore;
import dev.projections.eventwriter.NewEvent;
import dev.projections.eventwriter.VersionConflictException;
import dev.projections.monitoring.Monitoring;
import dev.projections.pipelinetools.chaos.TopicOrder;
import dev.projections.settings.DatabaseSettings;
import dev.projections.settings.KafkaSettings;
import dev.projections.settings.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The relay moved from one shard to two while writers append: nothing is lost, each aggregate's events reach
 * its partition in order (a stretch may repeat, in order, as at a relay's restart), and both shards relay.
 */
class ReshardIT {

    private static final int AGGREGATES = 60;

    @Test
    void givenOneShardUnderWrites_whenReshardedToTwo_thenNoEventIsLostOrOutOfOrderAndBothShardsRelay() throws Exception {
        Monitoring monitoring = new Monitoring("reshard-it");
        try (LocalPipeline services = LocalPipeline.start(new LocalPipeline.Setup(0, 0, 0, 0, null, false, Map.of()))) {
            EventStore store = new EventStore(services.dataSource());
            List<UUID> customers = new ArrayList<>();
            for (int i = 0; i < AGGREGATES; i++) {
                UUID id = UUID.randomUUID();
                store.append("customer", id, 0, List.of(NewEvent.of("CustomerRegistered", EventJson.tree(
                        "{\"code\": \"R-" + id.toString().substring(0, 13) + "\", \"name\": \"Acme 1\"}"))));
                customers.add(id);
            }
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong appended = new AtomicLong();
            Map<UUID, Integer> versions = new ConcurrentHashMap<>();
            customers.forEach(id -> versions.put(id, 1));
            Thread writer = new Thread(() -> {
                while (writing.get()) {
                    UUID id = customers.get(ThreadLocalRandom.current().nextInt(customers.size()));
                    int version = versions.get(id);
                    try {
                        store.append("customer", id, version, List.of(NewEvent.of("CustomerRenamed",
                                EventJson.tree("{\"name\": \"Acme " + (version + 1) + "\"}"))));
                        versions.put(id, version + 1);
                        appended.incrementAndGet();
                    } catch (VersionConflictException e) {
                        throw new IllegalStateException("one writer, no conflicts", e);
                    }
                }
            }, "reshard-writer");
            CdcRelayConfig oneShard = config(services, 1);
            RelayShards before = RelayShards.start(oneShard, monitoring);
            writer.start();
            try {
                await().atMost(Duration.ofMinutes(1)).until(() -> before.lastRelayedSequence() > 200);

                Resharding.Prepared prepared = new Resharding(oneShard, System.out::println).prepare(1, 2, Duration.ofMinutes(1));
                long appendedAtSwitch = appended.get();
                before.close();
                RelayShards after = RelayShards.start(config(services, 2), monitoring);
                try {
                    // the new relays' engines take a moment to open their replication connections: finish refuses until then
                    List<String> dropped = await().atMost(Duration.ofMinutes(1)).ignoreException(IllegalStateException.class)
                            .until(() -> new Resharding(oneShard, System.out::println).finish(1, 2), slots -> !slots.isEmpty());
                    await().atMost(Duration.ofMinutes(1)).until(() -> appended.get() > appendedAtSwitch + 300);
                    writing.set(false);
                    writer.join();
                    Map<UUID, Integer> expected = Map.copyOf(versions);
                    TopicOrder topics = await().atMost(Duration.ofMinutes(1))
                            .until(() -> TopicOrder.check(services.bootstrapServers(), expected), order -> order.missing().isEmpty());

                    assertThat(prepared.slots()).containsOnlyKeys("pipeline_relay_2_0", "pipeline_relay_2_1");
                    assertThat(dropped).containsExactly("pipeline_relay");
                    assertThat(after.relays()).extracting(CdcRelayApp::lastRelayedSequence).allSatisfy(sequence -> assertThat(sequence).isPositive());
                    assertThat(topics.outOfOrder()).isEmpty();
                    assertThat(topics.aggregates()).isEqualTo(AGGREGATES);
                    System.out.println("resharded from 1 to 2 under writes: " + topics.describe());
                } finally {
                    after.close();
                }
            } finally {
                writing.set(false);
                writer.join();
                before.close();
            }
        } finally {
            monitoring.close();
        }
    }

    private static CdcRelayConfig config(LocalPipeline services, int shards) {
        Map<String, String> flags = new HashMap<>();
        flags.put(DatabaseSettings.URL, services.jdbcUrl());
        flags.put(KafkaSettings.BOOTSTRAP_SERVERS, services.bootstrapServers());
        flags.put(CdcRelayConfig.SHARDS, Integer.toString(shards));
        flags.put(CdcRelayConfig.HEARTBEAT_INTERVAL, "1s");
        Settings settings = Settings.of(flags, Map.of());
        CdcRelayConfig config = CdcRelayConfig.from(settings, Map.of());
        settings.validate();
        return config;
    }
}

package dev.projections.cdcrelay;

import dev.failsafe.Execution;
import dev.failsafe.RetryPolicy;
import dev.projections.monitoring.Health;
import dev.projections.monitoring.Monitoring;
import dev.projections.settings.Causes;
import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's lifecycle. One supervising thread creates the topics, waits for the slot's lock (standing
 * by while another relay holds it), then runs Debezium's embedded engine; when the engine stops on an
 * error (Kafka or PostgreSQL unreachable) it is started again after a back-off, from the last committed
 * offset, so nothing is lost.
 */
public final class CdcRelayApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CdcRelayApp.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final CdcRelayConfig config;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicReference<DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>>> engine = new AtomicReference<>();
    private final AtomicReference<KafkaProducer<String, byte[]>> producer = new AtomicReference<>();
    private final Thread supervisor;
    private final RelayMetrics metrics;
    private final SlotMonitor slotMonitor;
    private final Admin admin;
    private final Monitoring monitoring;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "cdc-relay-leadership");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean active;
    private volatile boolean standingBy;
    /** Set while the engine stops because a re-publication asked the relays to stand by. */
    private volatile boolean pausing;
    private volatile String lastError;

    private CdcRelayApp(CdcRelayConfig config, Monitoring monitoring) {
        this.config = config;
        this.monitoring = monitoring;
        this.metrics = new RelayMetrics(monitoring.registry(), config.slotName());
        this.slotMonitor = new SlotMonitor(config.database(), config.slotName(), metrics);
        this.admin = Admin.create(config.kafka().clientConfig());
        this.supervisor = new Thread(this::supervise, "cdc-relay");
    }

    /** Starts the relay of one shard: of {@code config}'s first shard ({@link CdcRelayConfig#perShard()} gives each). */
    public static CdcRelayApp start(CdcRelayConfig config, Monitoring monitoring) {
        CdcRelayApp app = new CdcRelayApp(config, monitoring);
        monitoring.addCheck(app.check("postgres-relay"), app.slotMonitor::postgres);
        monitoring.addCheck(app.check("kafka-relay"), app::kafkaHealth);
        monitoring.addCheck(app.check("slot"), app::slotHealth);
        app.supervisor.start();
        return app;
    }

    /** A health check's name: with shards, one per shard's slot. */
    private String check(String name) {
        return config.shards() == 1 ? name : name + "-" + config.slotName();
    }

    public String slotName() {
        return config.slotName();
    }

    private Health kafkaHealth() {
        try {
            int nodes = admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).size();
            return Health.up(nodes + " broker(s) at " + config.kafka().bootstrapServers());
        } catch (Exception e) {
            return Health.down("no answer from " + config.kafka().bootstrapServers() + ": " + e.getMessage());
        }
    }

    private Health slotHealth() {
        if (active) {
            return Health.up("streaming from slot " + config.slotName());
        }
        if (standingBy) {
            return Health.standby("another relay holds slot " + config.slotName());
        }
        return Health.down(lastError == null ? "starting" : "restarting after: " + lastError);
    }

    /** Whether this relay holds the slot and streams from it (the others stand by). */
    public boolean isActive() {
        return active;
    }

    /** The sequence of the last event Kafka acknowledged, -1 before the first. */
    public long lastRelayedSequence() {
        return metrics.lastSequence();
    }

    private void supervise() {
        // an engine that stopped on an error is started again after a pause that grows while it keeps failing;
        // a run that relayed something starts the pauses over
        RetryPolicy<Object> restarts = RetryPolicy.builder().withBackoff(Duration.ofSeconds(1), MAX_BACKOFF).withMaxRetries(-1).build();
        try (SlotLeadership leadership = new SlotLeadership(config.database(), config.slotName(), Duration.ofSeconds(1));
                EventTopicSetup topics = new EventTopicSetup(config.kafka().clientConfig(), config.topicPartitions(),
                        config.topicReplicationFactor(), config.topicMinInSyncReplicas())) {
            Execution<Object> execution = Execution.of(restarts);
            while (stopped.getCount() > 0) {
                long before = lastRelayedSequence();
                RuntimeException stop = new IllegalStateException("the relay's engine stopped");
                try {
                    if (!runWhileLeader(leadership, topics)) {
                        break;
                    }
                    if (pausing) {
                        // no failure: it stands by until the re-publication ends, then goes on from the slot
                        pausing = false;
                        execution = Execution.of(restarts);
                        continue;
                    }
                } catch (RuntimeException e) {
                    lastError = Causes.describe(e);
                    LOG.error("relay stopped: {}", lastError, e);
                    stop = e;
                }
                if (lastRelayedSequence() != before) {
                    execution = Execution.of(restarts);
                }
                execution.recordException(stop);
                if (stopped.await(execution.getDelay().toMillis(), TimeUnit.MILLISECONDS)) {
                    break;
                }
                LOG.info("restarting the relay after {} ms", execution.getDelay().toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            watchdog.shutdownNow();
        }
        LOG.info("relay stopped");
    }

    /** Stands by until this relay holds the slot's lock, then streams until the engine stops; false once stopped. */
    private boolean runWhileLeader(SlotLeadership leadership, EventTopicSetup topics) throws InterruptedException {
        try {
            // a topic deleted while the relay ran (its records then go nowhere) is made again before it streams
            topics.forget();
            topics.ensure(config.aggregateTypes());
            standingBy = true;
            if (!leadership.acquire(stopped)) {
                return false;
            }
            leadership.freeSlot(config.slotName(), Duration.ofSeconds(10));
            standingBy = false;
            active = true;
            metrics.active(true);
            LOG.info("relay active on slot {} (publication {}), publishing to {}", config.slotName(), config.publicationName(),
                    config.kafka().bootstrapServers());
            ScheduledFuture<?> watch = watchdog.scheduleWithFixedDelay(() -> watch(leadership), 5, 5, TimeUnit.SECONDS);
            try {
                runEngine(topics, prepared(leadership));
            } catch (RuntimeException e) {
                // stopped for a re-publication, the failure is only the producer closed under a send
                if (!pausing) {
                    throw e;
                }
            } finally {
                watch.cancel(false);
                if (pausing) {
                    release(leadership);
                }
            }
            return true;
        } finally {
            active = false;
            standingBy = false;
            metrics.active(false);
        }
    }

    private boolean prepared(SlotLeadership leadership) {
        try {
            return leadership.prepared(config.slotName());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot look at slot " + config.slotName() + ": " + e.getMessage(), e);
        }
    }

    private void release(SlotLeadership leadership) {
        try {
            leadership.release();
        } catch (SQLException e) {
            // the lock goes with the session, which the next look at it renews
            LOG.warn("giving the lock of slot {} up failed: {}", config.slotName(), e.getMessage());
        }
    }

    /** Every few seconds while active: stops streaming when the lock's session is gone or a re-publication asks. */
    private void watch(SlotLeadership leadership) {
        if (!leadership.held()) {
            LOG.error("relay lost its lock session on slot {}; stopping, to stand by again", config.slotName());
            closeEngine();
            return;
        }
        try {
            if (leadership.paused()) {
                LOG.info("a re-publication of the topics asks the relays to stand by; relay on slot {} stops streaming", config.slotName());
                pausing = true;
                // a send waiting for Kafka (a topic being made again) gives up at once: the batch is sent again later
                KafkaProducer<String, byte[]> sending = producer.get();
                if (sending != null) {
                    sending.close(Duration.ZERO);
                }
                closeEngine();
            }
        } catch (SQLException e) {
            LOG.debug("looking at the pause lock of slot {} failed: {}", config.slotName(), e.getMessage());
        }
    }

    private void runEngine(EventTopicSetup topics, boolean prepared) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (KafkaProducer<String, byte[]> sending = new KafkaProducer<>(config.producerConfig("pipeline-relay-" + config.slotName()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.set(sending);
            EventPublisher current = new EventPublisher(sending, topics::ensure, metrics);
            DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> running = DebeziumEngine.create(Connect.class)
                    .using(config.debeziumProperties(prepared))
                    .notifying(current)
                    .using((success, message, error) -> {
                        if (!success) {
                            failure.set(error != null ? error : new IllegalStateException(message));
                        }
                    })
                    .build();
            engine.set(running);
            if (stopped.getCount() == 0) {
                return;
            }
            running.run();
        } finally {
            producer.set(null);
            closeEngine();
        }
        if (failure.get() != null && stopped.getCount() > 0) {
            throw new IllegalStateException("the Debezium engine failed", failure.get());
        }
    }

    private void closeEngine() {
        DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> running = engine.getAndSet(null);
        if (running != null) {
            try {
                running.close();
            } catch (Exception e) {
                LOG.warn("closing the Debezium engine failed: {}", e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        stopped.countDown();
        closeEngine();
        try {
            supervisor.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        slotMonitor.close();
        admin.close(Duration.ofSeconds(5));
        for (String check : new String[] {"postgres-relay", "kafka-relay", "slot"}) {
            monitoring.removeCheck(check(check));
        }
        metrics.unregisterGauges(monitoring.registry());
    }
}

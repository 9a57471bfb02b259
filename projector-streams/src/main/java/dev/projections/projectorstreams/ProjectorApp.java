package dev.projections.projectorstreams;

import com.zaxxer.hikari.HikariDataSource;
import dev.projections.eventcatalogue.EventTopics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import dev.projections.monitoring.DatabaseHealth;
import dev.projections.monitoring.Health;
import dev.projections.monitoring.Monitoring;
import dev.projections.projectorstreams.projection.Projection;
import dev.projections.projectorstreams.write.BatchTransaction;
import dev.projections.projectorstreams.write.PendingBatches;
import dev.projections.projectorstreams.write.ProjectionMetrics;
import dev.projections.projectorstreams.write.ProjectionTopology;
import dev.projections.projectorstreams.write.RetryableProjectionException;
import dev.projections.projectorstreams.write.RowsBeforeOffsetsConsumer;
import dev.projections.settings.Causes;
import dev.projections.settings.DatabaseSettings;
import io.micrometer.core.instrument.Gauge;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A projector's lifecycle: a connection pool, the wait for its topics (the relay creates them), and one
 * Kafka Streams application. A failure no retry can fix stops the application; {@link #failure()} then
 * completes so that the command exits non-zero, with the offsets still before the failed event.
 */
public final class ProjectorApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectorApp.class);

    private final ProjectorConfig config;
    private final HikariDataSource dataSource;
    private final ProjectionMetrics metrics;
    private final Monitoring monitoring;
    private final CompletableFuture<Throwable> failure = new CompletableFuture<>();
    private volatile KafkaStreams streams;
    private volatile PendingBatches batches;
    private volatile boolean closed;
    /** Events of this read model in readmodel.parked_events, counted every 15 s; -1 until first counted. */
    private final AtomicLong parked = new AtomicLong(-1);
    private final ScheduledExecutorService parkedCounter;

    private ProjectorApp(ProjectorConfig config, HikariDataSource dataSource, Monitoring monitoring) {
        this.config = config;
        this.dataSource = dataSource;
        this.monitoring = monitoring;
        this.metrics = new ProjectionMetrics(config.projection().name(), monitoring.registry());
        this.parkedCounter = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "projector-" + config.projection().name() + "-parked-count");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts the projector; the wait for its topics happens in the background. */
    public static ProjectorApp start(ProjectorConfig config, Monitoring monitoring) {
        String name = config.projection().name();
        // a batch's inserts of one statement go as multi-row inserts
        HikariDataSource dataSource = config.database().poolOnceReachable("projector-" + name, config.streamThreads() + 2,
                Map.of("reWriteBatchedInserts", "true"), DatabaseSettings.START_PATIENCE);
        dataSource.setMetricRegistry(monitoring.registry());
        ProjectorApp app = new ProjectorApp(config, dataSource, monitoring);
        monitoring.addCheck("postgres-" + name, () -> DatabaseHealth.check(dataSource));
        monitoring.addCheck("kafka-" + name, app::streamsHealth);
        Gauge.builder("pipeline.projector.lag", app, ProjectorApp::lag)
                .description("Events in the projector's partitions not yet applied, as its consumers last saw them")
                .tags("read_model", name)
                .baseUnit("events")
                .register(monitoring.registry());
        Gauge.builder("pipeline.projector.parked.events", app.parked, AtomicLong::get)
                .description("Events of the read model waiting in readmodel.parked_events (bin/pipeline parked), counted every 15 s")
                .tags("read_model", name)
                .baseUnit("events")
                .register(monitoring.registry());
        app.parkedCounter.scheduleWithFixedDelay(app::countParked, 0, 15, TimeUnit.SECONDS);
        Thread starter = new Thread(app::run, "projector-" + config.projection().name() + "-start");
        starter.setDaemon(true);
        starter.start();
        return app;
    }

    private void run() {
        try {
            register();
            awaitTopics();
            if (closed) {
                return;
            }
            Projection projection = config.projection();
            // a shadow build skips what the operator discarded from the live read model, as its rebuild would
            PendingBatches batches = new PendingBatches(new BatchTransaction(projection, ShadowProjection.readModelOf(projection)),
                    dataSource, metrics, config.commitInterval());
            this.batches = batches;
            KafkaStreams started = new KafkaStreams(ProjectionTopology.buildTopology(batches), config.streamsProperties(),
                    new RowsBeforeOffsetsConsumer.Supplier(batches));
            started.setUncaughtExceptionHandler(error -> {
                // called on the failing stream thread: nothing it applied may be committed
                batches.rollback();
                if (Causes.find(error, RetryableProjectionException.class).isPresent()) {
                    // its successor's tasks wait for the database as they start (PendingBatches.loadParked)
                    LOG.warn("projector {}: {}; its stream thread starts again, from the last committed offsets",
                            config.projection().name(), error.getMessage());
                    return StreamThreadExceptionResponse.REPLACE_THREAD;
                }
                LOG.error("projector {} stopped: {}", config.projection().name(), error.getMessage(), error);
                failure.complete(error);
                return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            started.setStateListener((now, before) -> LOG.info("projector {} is {}", config.projection().name(), now));
            synchronized (this) {
                if (closed) {
                    started.close();
                    return;
                }
                streams = started;
                try {
                    started.start();
                } catch (RuntimeException e) {
                    started.close();
                    throw e;
                }
            }
            LOG.info("projector {} started as application {}", config.projection().name(), config.applicationId());
        } catch (RuntimeException e) {
            LOG.error("projector {} could not start: {}", config.projection().name(), e.getMessage(), e);
            failure.complete(e);
        }
    }

    private void awaitTopics() {
        List<String> topics = EventTopics.forAggregateTypes(config.projection().aggregateTypes()).stream().map(EventTopics.Topic::name).toList();
        boolean announced = false;
        try (Admin admin = Admin.create(config.kafka().clientConfig())) {
            while (!closed) {
                try {
                    Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
                    if (existing.containsAll(topics)) {
                        return;
                    }
                    if (!announced) {
                        LOG.info("projector {} waits for topics {} (the relay creates them)", config.projection().name(), topics);
                        announced = true;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    LOG.warn("projector {} cannot list topics at {}: {}", config.projection().name(),
                            config.kafka().bootstrapServers(), e.getMessage());
                }
                Thread.sleep(Duration.ofSeconds(1).toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String applicationId() {
        return config.applicationId();
    }

    public ProjectionMetrics metrics() {
        return metrics;
    }

    /** Completes with the error that stopped the projector. */
    public CompletableFuture<Throwable> failure() {
        return failure;
    }

    private Health streamsHealth() {
        KafkaStreams current = streams;
        if (current == null) {
            return failure.isDone() ? Health.down("stopped: " + failure.join().getMessage()) : Health.down("waiting for its topics");
        }
        KafkaStreams.State state = current.state();
        return state.isRunningOrRebalancing() ? Health.up(state.name()) : Health.down(state.name());
    }

    /**
     * Makes the read model known to the writer's read-your-writes (readmodel.read_models), at this build's
     * version when it is new, and refuses to project a read model that is at another version.
     */
    private void register() {
        Projection projection = config.projection();
        if (projection instanceof ShadowProjection) {
            return;
        }
        int live;
        try (Connection connection = dataSource.getConnection()) {
            live = ReadModelRegistry.register(connection, projection);
        } catch (SQLException | RuntimeException e) {
            // it projects all the same; only the writer's read-your-writes does not know it until its next start
            LOG.warn("projector {}: registering the read model in readmodel.read_models failed: {}", projection.name(), e.getMessage());
            return;
        }
        if (live < projection.version()) {
            throw new IllegalStateException("read model " + projection.name() + " is at version " + live + " in this database, and this "
                    + "build projects version " + projection.version() + ": build it beside the live one with this build's bin/pipeline replay "
                    + projection.name() + " --shadow --swap, stopping the version " + live + " instances when it asks, then start these");
        }
        if (live > projection.version()) {
            throw new IllegalStateException("read model " + projection.name() + " is at version " + live + " in this database, and this "
                    + "build projects version " + projection.version() + ": run a build that projects version " + live);
        }
    }

    private void countParked() {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement count = connection.prepareStatement("SELECT count(*) FROM readmodel.parked_events WHERE projection = ?")) {
            count.setString(1, config.projection().name());
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                parked.set(rows.getLong(1));
            }
        } catch (SQLException | RuntimeException e) {
            // the database's own health check says it is away; the gauge keeps its last count
            LOG.debug("counting the parked events of {} failed: {}", config.projection().name(), e.getMessage());
        }
    }

    /** The sum of the consumers' records-lag over the projector's partitions; 0 before it runs. */
    private double lag() {
        KafkaStreams current = streams;
        if (current == null) {
            return 0;
        }
        double lag = 0;
        for (Map.Entry<MetricName, ? extends Metric> metric : current.metrics().entrySet()) {
            MetricName name = metric.getKey();
            if (name.name().equals("records-lag") && name.group().equals("consumer-fetch-manager-metrics")
                    && name.tags().containsKey("partition") && metric.getValue().metricValue() instanceof Double value && !value.isNaN()) {
                lag += value;
            }
        }
        return lag;
    }

    public boolean isRunning() {
        KafkaStreams current = streams;
        return current != null && current.state().isRunningOrRebalancing();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        PendingBatches applying = batches;
        if (applying != null) {
            applying.stopping();
        }
        KafkaStreams current = streams;
        if (current != null) {
            // leaving the group at once lets the other instances take over the partitions (and lets an
            // operator reset the group's offsets) without waiting for the session to time out
            current.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(30)));
        }
        parkedCounter.shutdownNow();
        dataSource.close();
        String name = config.projection().name();
        monitoring.removeCheck("postgres-" + name);
        monitoring.removeCheck("kafka-" + name);
        for (String gauge : List.of("pipeline.projector.lag", "pipeline.projector.parked.events")) {
            monitoring.registry().find(gauge).tag("read_model", name).meters().forEach(monitoring.registry()::remove);
        }
    }
}

package dev.projections.pipelinetools;

import dev.projections.cdcrelay.CdcRelayConfig;
import dev.projections.cdcrelay.RelayShards;
import dev.projections.embeddedservices.EmbeddedKafka;
import dev.projections.embeddedservices.EmbeddedPostgres;
import dev.projections.eventwriter.EventWriterApp;
import dev.projections.eventwriter.EventWriterConfig;
import dev.projections.eventwriter.WriterTls;
import dev.projections.eventwriter.access.Credentials;
import dev.projections.migrations.Migrations;
import dev.projections.monitoring.Monitoring;
import dev.projections.monitoring.MonitoringServer;
import dev.projections.projectorstreams.Projections;
import dev.projections.projectorstreams.ProjectorApp;
import dev.projections.projectorstreams.ProjectorConfig;
import dev.projections.settings.DatabaseSettings;
import dev.projections.settings.KafkaSettings;
import dev.projections.settings.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Everything in one process on embedded PostgreSQL and an embedded Kafka broker: migrations, the relay,
 * one projector per read model and the writer's HTTP service, each the same component that runs on its
 * own in production, configured the same way.
 */
public final class LocalPipeline implements AutoCloseable {

    /** Where and how local mode runs; a null data directory keeps nothing after close. */
    public record Setup(int postgresPort, int kafkaPort, int httpPort, int metricsPort, Path dataDirectory, boolean components,
            Map<String, String> environment) {
    }

    private static final String LOOPBACK = "127.0.0.1";

    private final EmbeddedPostgres postgres;
    private final EmbeddedKafka kafka;
    private final Settings settings;
    private final Map<String, String> environment;
    private final Map<String, ProjectorApp> projectors = new LinkedHashMap<>();
    private final Monitoring monitoring = new Monitoring("local");
    private RelayShards relay;
    private EventWriterApp writer;
    private MonitoringServer monitoringServer;

    private LocalPipeline(EmbeddedPostgres postgres, EmbeddedKafka kafka, Settings settings, Map<String, String> environment) {
        this.postgres = postgres;
        this.kafka = kafka;
        this.settings = settings;
        this.environment = environment;
    }

    public static LocalPipeline start(Setup setup) {
        EmbeddedPostgres postgres = EmbeddedPostgres.start(setup.postgresPort(),
                setup.dataDirectory() == null ? null : setup.dataDirectory().resolve("postgres"));
        EmbeddedKafka kafka;
        try {
            kafka = EmbeddedKafka.start(setup.kafkaPort(), setup.dataDirectory() == null ? null : setup.dataDirectory().resolve("kafka"));
        } catch (RuntimeException e) {
            postgres.close();
            throw e;
        }
        Map<String, String> flags = new HashMap<>();
        flags.put(DatabaseSettings.URL, postgres.jdbcUrl());
        flags.put(KafkaSettings.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        flags.put(EventWriterConfig.HTTP_PORT, Integer.toString(setup.httpPort()));
        // open to anyone on this machine, and to no one else
        flags.put(EventWriterConfig.HTTP_HOST, LOOPBACK);
        flags.put(Credentials.AUTH, "false");
        flags.put(WriterTls.TLS, "false");
        if (setup.dataDirectory() != null) {
            flags.put(ProjectorConfig.STATE_DIR, setup.dataDirectory().resolve("streams").toString());
        }
        Settings settings = Settings.of(flags, setup.environment());
        LocalPipeline pipeline = new LocalPipeline(postgres, kafka, settings, setup.environment());
        try {
            Migrations.migrate(postgres.dataSource());
            if (!setup.components()) {
                return pipeline;
            }
            pipeline.startRelay();
            for (String readModel : Projections.names()) {
                pipeline.startProjector(readModel);
            }
            EventWriterConfig writerConfig = EventWriterConfig.from(settings);
            settings.validate();
            pipeline.writer = EventWriterApp.start(writerConfig, pipeline.monitoring);
            pipeline.monitoringServer = MonitoringServer.start(pipeline.monitoring, LOOPBACK, setup.metricsPort());
            return pipeline;
        } catch (RuntimeException e) {
            pipeline.close();
            throw e;
        }
    }

    /** Waits until the relay streams and every projector runs (at once without components). */
    public void awaitReady(Duration timeout) throws InterruptedException {
        if (writer == null) {
            return;
        }
        Instant deadline = Instant.now().plus(timeout);
        while (!(relay != null && relay.allActive() && projectors.values().stream().allMatch(ProjectorApp::isRunning))) {
            for (Map.Entry<String, ProjectorApp> projector : projectors.entrySet()) {
                if (projector.getValue().failure().isDone()) {
                    throw new IllegalStateException("projector " + projector.getKey() + " could not start: "
                            + projector.getValue().failure().join().getMessage(), projector.getValue().failure().join());
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("local pipeline not ready after " + timeout.toSeconds() + " s: " + readiness());
            }
            Thread.sleep(50);
        }
    }

    private String readiness() {
        List<String> parts = new ArrayList<>();
        parts.add("relay " + (relay != null && relay.allActive() ? "active" : "not active"));
        projectors.forEach((name, app) -> parts.add("projector " + name + (app.isRunning() ? " running" : " not running")));
        return String.join(", ", parts);
    }

    public synchronized void startRelay() {
        if (relay == null) {
            relay = RelayShards.start(CdcRelayConfig.from(settings, environment), monitoring);
        }
    }

    public synchronized void stopRelay() {
        if (relay != null) {
            relay.close();
            relay = null;
        }
    }

    public synchronized void startProjector(String readModel) {
        projectors.computeIfAbsent(readModel, name -> ProjectorApp.start(ProjectorConfig.from(name, settings, environment), monitoring));
    }

    public synchronized void stopProjector(String readModel) {
        ProjectorApp projector = projectors.remove(readModel);
        if (projector != null) {
            projector.close();
        }
    }

    public synchronized RelayShards relay() {
        return relay;
    }

    public synchronized ProjectorApp projector(String readModel) {
        return projectors.get(readModel);
    }

    public Monitoring monitoring() {
        return monitoring;
    }

    public String jdbcUrl() {
        return postgres.jdbcUrl();
    }

    public DataSource dataSource() {
        return postgres.dataSource();
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String httpUrl() {
        return "http://localhost:" + writer.httpPort();
    }

    /** Where {@code /metrics} and {@code /health} of every component of this process are served. */
    public String monitoringUrl() {
        return "http://localhost:" + monitoringServer.port();
    }

    /** The line that says who may call the writer. */
    public String accessLine() {
        return "writer: open to anyone on this machine, with no credentials and no TLS; it listens on " + LOOPBACK + " only";
    }

    public String readyLine() {
        if (writer == null) {
            return "services ready: jdbc=" + jdbcUrl() + " kafka=" + bootstrapServers();
        }
        return "pipeline ready: jdbc=" + jdbcUrl() + " kafka=" + bootstrapServers() + " http=" + httpUrl() + " metrics=" + monitoringUrl()
                + "/metrics";
    }

    /** The lines that point the other commands, in another shell, at this pipeline's PostgreSQL and Kafka. */
    public List<String> exportLines() {
        return List.of("export " + Settings.variableName(DatabaseSettings.URL) + "='" + jdbcUrl() + "'",
                "export " + Settings.variableName(KafkaSettings.BOOTSTRAP_SERVERS) + "=" + bootstrapServers());
    }

    @Override
    public synchronized void close() {
        if (writer != null) {
            writer.close();
        }
        if (monitoringServer != null) {
            monitoringServer.close();
        }
        // side by side: each waits for its stream threads to commit and leave the group
        List<Thread> closing = projectors.entrySet().stream()
                .map(projector -> new Thread(projector.getValue()::close, "close-projector-" + projector.getKey())).toList();
        closing.forEach(Thread::start);
        for (Thread thread : closing) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        projectors.clear();
        stopRelay();
        kafka.close();
        postgres.close();
        monitoring.close();
    }
}

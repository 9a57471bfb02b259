package dev.projections.pipelinetools.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.projections.cdcrelay.CdcRelayConfig;
import dev.projections.cdcrelay.RelayShards;
import dev.projections.embeddedservices.EmbeddedKafka;
import dev.projections.embeddedservices.EmbeddedPostgres;
import dev.projections.migrations.Migrations;
import dev.projections.monitoring.Monitoring;
import dev.projections.pipelinetools.Directories;
import dev.projections.pipelinetools.PipelineProcess;
import dev.projections.projectorstreams.ProjectorApp;
import dev.projections.projectorstreams.ProjectorConfig;
import dev.projections.settings.DatabaseSettings;
import dev.projections.settings.KafkaSettings;
import dev.projections.settings.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The database and broker a bench runs on (local mode's embedded ones unless a URL is set), and the
 * pipeline's components: the relay and projectors in this process, more projectors, or a replay, as
 * processes of their own started by the same command line a user runs.
 */
final class BenchServices implements AutoCloseable {

    private final EmbeddedPostgres postgres;
    private final EmbeddedKafka kafka;
    private final Map<String, String> flags;
    /** Streams' state directory of this bench's projectors, made for it and removed with it; null when the settings name one. */
    private final Path stateDirectory;
    private final Map<String, String> environment;
    private final HikariDataSource dataSource;
    private final Monitoring monitoring = new Monitoring("bench", LatencyRecorder.fineBuckets(LatencyRecorder.TIMER));
    private final Map<String, ProjectorApp> projectors = new LinkedHashMap<>();
    private final List<Process> processes = new ArrayList<>();
    private RelayShards relay;

    private BenchServices(EmbeddedPostgres postgres, EmbeddedKafka kafka, Map<String, String> flags, Path stateDirectory,
            Map<String, String> environment) {
        this.postgres = postgres;
        this.kafka = kafka;
        this.flags = flags;
        this.stateDirectory = stateDirectory;
        this.environment = environment;
        // the ceilings are the database's, measured the way a tuned client writes
        this.dataSource = DatabaseSettings.from(settings()).pool("bench", 16, Map.of("reWriteBatchedInserts", "true"));
    }

    /**
     * @param flags the pipeline's settings by key; without a database URL (flag or {@code PIPELINE_DB_URL})
     *     an embedded PostgreSQL runs, without bootstrap servers an embedded broker
     */
    static BenchServices start(Map<String, String> flags, Map<String, String> environment, boolean durable,
            Map<String, String> postgresConfig) {
        Settings probe = Settings.of(flags, environment);
        boolean externalDatabase = probe.optional(DatabaseSettings.URL).isPresent();
        boolean externalKafka = probe.optional(KafkaSettings.BOOTSTRAP_SERVERS).isPresent();
        Map<String, String> serverConfig = new HashMap<>(durable ? EmbeddedPostgres.DURABLE : Map.of());
        serverConfig.putAll(postgresConfig);
        EmbeddedPostgres postgres = externalDatabase ? null : EmbeddedPostgres.start(0, null, serverConfig);
        EmbeddedKafka kafka = null;
        try {
            kafka = externalKafka ? null : EmbeddedKafka.start(0, null);
            Map<String, String> all = new HashMap<>(flags);
            // Streams state of its own: the default directory is shared with a local pipeline on this machine,
            // whose projectors have the same application ids
            Path stateDirectory = null;
            if (!all.containsKey(ProjectorConfig.STATE_DIR)) {
                stateDirectory = Files.createTempDirectory("pipeline-bench-streams");
                all.put(ProjectorConfig.STATE_DIR, stateDirectory.toString());
            }
            if (postgres != null) {
                all.put(DatabaseSettings.URL, postgres.jdbcUrl());
            }
            if (kafka != null) {
                all.put(KafkaSettings.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
            }
            BenchServices services = new BenchServices(postgres, kafka, all, stateDirectory, environment);
            Migrations.migrate(services.dataSource);
            return services;
        } catch (IOException | RuntimeException e) {
            if (kafka != null) {
                kafka.close();
            }
            if (postgres != null) {
                postgres.close();
            }
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    boolean embedded() {
        return postgres != null;
    }

    Settings settings() {
        return Settings.of(flags, environment);
    }

    HikariDataSource dataSource() {
        return dataSource;
    }

    Monitoring monitoring() {
        return monitoring;
    }

    void startRelay(Duration timeout) throws InterruptedException {
        Settings settings = settings();
        relay = RelayShards.start(CdcRelayConfig.from(settings, environment), monitoring);
        settings.validate();
        Instant deadline = Instant.now().plus(timeout);
        while (!relay.allActive()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the relay did not become active within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    RelayShards relay() {
        return relay;
    }

    ProjectorApp startProjector(String readModel) {
        Settings settings = settings();
        ProjectorApp app = ProjectorApp.start(ProjectorConfig.from(readModel, settings, environment), monitoring);
        settings.validate();
        projectors.put(readModel, app);
        return app;
    }

    void stopProjector(String readModel) {
        ProjectorApp app = projectors.remove(readModel);
        if (app != null) {
            app.close();
        }
    }

    /** {@code bin/pipeline <arguments>} as a process of its own, with this bench's settings; output to {@code log}. */
    Process spawn(Path log, String... arguments) throws IOException {
        ProcessBuilder builder = PipelineProcess.builder(flags, List.of(arguments)).redirectOutput(log.toFile());
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    /** Stops a spawned process as an operator would (SIGTERM), then for good if it does not stop. */
    static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    @Override
    public void close() {
        for (Process process : processes) {
            process.destroyForcibly();
        }
        projectors.values().forEach(ProjectorApp::close);
        if (relay != null) {
            relay.close();
        }
        dataSource.close();
        monitoring.close();
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        if (stateDirectory != null) {
            try {
                Directories.deleteRecursively(stateDirectory);
            } catch (IOException e) {
                System.err.println("bench: could not remove " + stateDirectory + ": " + e.getMessage());
            }
        }
    }

}

package dev.projections.eventwriter;

import com.zaxxer.hikari.HikariDataSource;
import dev.projections.eventcatalogue.EventCatalogue;
import dev.projections.monitoring.DatabaseHealth;
import dev.projections.monitoring.Monitoring;
import dev.projections.settings.DatabaseSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** The writer service's lifecycle: a connection pool, the event store over it and its HTTP server. */
public final class EventWriterApp implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final WriterHttpServer http;

    private EventWriterApp(HikariDataSource dataSource, WriterHttpServer http) {
        this.dataSource = dataSource;
        this.http = http;
    }

    /** Starts the writer; its HTTP server also serves the monitoring endpoints. */
    public static EventWriterApp start(EventWriterConfig config, Monitoring monitoring) {
        HikariDataSource dataSource = config.database().poolOnceReachable("event-writer", config.poolSize(), Map.of(),
                DatabaseSettings.START_PATIENCE);
        dataSource.setMetricRegistry(monitoring.registry());
        monitoring.addCheck("postgres-writer", () -> DatabaseHealth.check(dataSource));
        try {
            EventStore store = new EventStore(dataSource, new CatalogueValidator(EventCatalogue.CURRENT), monitoring.registry());
            WriterHttpServer http = WriterHttpServer.start(store, config.httpHost(), config.httpPort(),
                    config.maxRequestBytes(), config.httpThreads(), monitoring);
            return new EventWriterApp(dataSource, http);
        } catch (IOException e) {
            dataSource.close();
            throw new UncheckedIOException("the writer's HTTP server could not listen on " + config.httpHost() + ":"
                    + config.httpPort() + ": " + e.getMessage(), e);
        }
    }

    public int httpPort() {
        return http.port();
    }

    @Override
    public void close() {
        http.close();
        dataSource.close();
    }
}

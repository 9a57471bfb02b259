package dev.projections.eventwriter;

import com.zaxxer.hikari.HikariDataSource;
import dev.projections.eventcatalogue.EventCatalogue;
import dev.projections.monitoring.DatabaseHealth;
import dev.projections.monitoring.Monitoring;
import dev.projections.settings.DatabaseSettings;
import java.util.Map;

/** The writer service's lifecycle: a connection pool, the event store over it and its HTTP server. */
public final class EventWriterApp implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final WriterHttpServer http;

    private EventWriterApp(HikariDataSource dataSource, WriterHttpServer http) {
        this.dataSource = dataSource;
        this.http = http;
    }

    /** Starts the writer; the monitoring endpoints are served elsewhere, not to the writer's callers. */
    public static EventWriterApp start(EventWriterConfig config, Monitoring monitoring) {
        HikariDataSource dataSource = config.database().poolOnceReachable("event-writer", config.poolSize(), Map.of(),
                DatabaseSettings.START_PATIENCE);
        dataSource.setMetricRegistry(monitoring.registry());
        monitoring.addCheck("postgres-writer", () -> DatabaseHealth.check(dataSource));
        try {
            EventStore store = new EventStore(dataSource, new CatalogueValidator(EventCatalogue.CURRENT), monitoring.registry());
            WriterHttpServer http = WriterHttpServer.start(store, WriterHttpServer.Options.of(config), config.credentials(),
                    monitoring.registry());
            return new EventWriterApp(dataSource, http);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
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

package dev.projections.eventwriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.projections.embeddedservices.EmbeddedPostgres;
import dev.projections.embeddedservices.SharedPostgres;
import dev.projections.settings.DatabaseSettings;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the writer and the projectors do when PostgreSQL is not there yet as they start. */
class DatabaseStartIT {

    @Test
    void givenPostgresStartingOnlyAfterTheComponent_whenItsPoolIsOpened_thenItWaitsAndConnectsOnceTheServerIsUp(@TempDir Path data)
            throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        DatabaseSettings database = new DatabaseSettings("jdbc:postgresql://localhost:" + port + "/postgres?user=postgres", null, null);
        CompletableFuture<EmbeddedPostgres> server = CompletableFuture.supplyAsync(() -> {
            try {
                TimeUnit.SECONDS.sleep(3);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return EmbeddedPostgres.start(port, data);
        });

        long started = System.nanoTime();
        try (HikariDataSource pool = database.poolOnceReachable("late-start", 1, Map.of(), Duration.ofMinutes(1));
                Connection connection = pool.getConnection()) {
            assertThat(connection.isValid(1)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofSeconds(2));
        } finally {
            server.get(1, TimeUnit.MINUTES).close();
        }
    }

    @Test
    void givenADatabaseThatDoesNotExist_whenAPoolIsOpened_thenItFailsAtOnceNamingTheDatabase() {
        String url = SharedPostgres.get().jdbcUrl().replace("/postgres?", "/no_such_database?");
        DatabaseSettings database = new DatabaseSettings(url, null, null);

        long started = System.nanoTime();
        assertThatThrownBy(() -> database.poolOnceReachable("refused", 1, Map.of(), Duration.ofMinutes(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot connect to PostgreSQL at " + url)
                .hasMessageContaining("\"no_such_database\" does not exist");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    }
}

package dev.projections.settings;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * Where PostgreSQL is: a JDBC URL, and a user and password given beside it or inside it. The password
 * is kept out of {@link #toString()} and {@link #redactedUrl()}, which are what logs may show.
 */
public record DatabaseSettings(String jdbcUrl, String user, String password) {

    public static final String URL = "db-url";
    public static final String USER = "db-user";
    public static final String PASSWORD = "db-password";
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(5);
    /** How long a component that runs for long waits for PostgreSQL at start before it gives up. */
    public static final Duration START_PATIENCE = Duration.ofMinutes(2);

    public static DatabaseSettings from(Settings settings) {
        String url = settings.jdbcUrl(URL);
        String user = settings.optional(USER).orElse(null);
        String password = settings.secret(PASSWORD).orElse(null);
        if (url != null) {
            Properties parsed = org.postgresql.Driver.parseURL(url, new Properties());
            if (parsed == null) {
                settings.problem(URL, "is not a JDBC URL the PostgreSQL driver understands");
            } else if (user == null && parsed.getProperty("user") == null) {
                settings.problem(USER, "is required (or put user= in " + Settings.describe(URL) + ")");
            }
        }
        return new DatabaseSettings(url, user, password);
    }

    /** Host, port and database name, as the Debezium connector wants them. */
    public Properties parsedUrl() {
        Properties parsed = org.postgresql.Driver.parseURL(jdbcUrl, new Properties());
        if (user != null) {
            parsed.setProperty("user", user);
        }
        if (password != null) {
            parsed.setProperty("password", password);
        }
        return parsed;
    }

    /** One connection of its own, outside any pool: for a command's few statements, or a session that must stay. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, parsedUrl());
    }

    public String host() {
        return parsedUrl().getProperty("PGHOST").split(",")[0];
    }

    public int port() {
        return Integer.parseInt(parsedUrl().getProperty("PGPORT", "5432").split(",")[0]);
    }

    public String databaseName() {
        return parsedUrl().getProperty("PGDBNAME");
    }

    public String effectiveUser() {
        return parsedUrl().getProperty("user");
    }

    public String effectivePassword() {
        return parsedUrl().getProperty("password");
    }

    /** A connection pool; it fails at once, naming the database, when the database cannot be reached. */
    public HikariDataSource pool(String name, int maximumSize) {
        return pool(name, maximumSize, Map.of());
    }

    /** A connection pool whose connections have these driver properties, e.g. {@code reWriteBatchedInserts}. */
    public HikariDataSource pool(String name, int maximumSize, Map<String, String> driverProperties) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(maximumSize);
        config.setConnectionTimeout(10_000);
        // names the component in pg_stat_activity
        config.addDataSourceProperty("ApplicationName", name);
        driverProperties.forEach(config::addDataSourceProperty);
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot connect to PostgreSQL at " + redactedUrl() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
    }

    /**
     * A pool for a component that runs for long (a projector, the writer), started perhaps while PostgreSQL
     * is away, starting or shutting down: on such a transient failure it tries again every few seconds, for
     * up to {@code patience}. A refusal (a wrong password, a database that does not exist) fails at once.
     */
    public HikariDataSource poolOnceReachable(String name, int maximumSize, Map<String, String> driverProperties, Duration patience) {
        try {
            return Retry.get(Retry.<HikariDataSource>backoff("connecting to PostgreSQL at " + redactedUrl(), Duration.ofSeconds(1),
                    LONGEST_PAUSE, patience).handleIf(Retry::databaseAway).build(), () -> pool(name, maximumSize, driverProperties));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for PostgreSQL at " + redactedUrl(), e);
        }
    }

    public String redactedUrl() {
        return jdbcUrl == null ? null : jdbcUrl.replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    @Override
    public String toString() {
        return "DatabaseSettings[" + redactedUrl() + ", user=" + user + "]";
    }
}

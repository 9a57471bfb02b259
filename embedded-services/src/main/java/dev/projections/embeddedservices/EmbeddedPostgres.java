package dev.projections.embeddedservices;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;

/**
 * A real PostgreSQL server from the zonky binaries, set up for logical decoding: {@code wal_level=logical}
 * and a short {@code wal_writer_delay}, since logical decoding only sees what the WAL writer has flushed.
 * Its data directory is kept between starts when one is given, so local mode resumes where it stopped.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    public static final String USER = "postgres";
    public static final String DATABASE = "postgres";
    /** What a production server runs with: every commit flushed to disk before it is acknowledged. */
    public static final Map<String, String> DURABLE = Map.of("fsync", "on", "synchronous_commit", "on", "full_page_writes", "on");
    /** Clients over TCP only with TLS, replication connections too; a plain connection finds no entry and is refused. */
    private static final String TLS_ONLY_HBA = """
            local    all          all                 trust
            local    replication  all                 trust
            hostssl  all          all  127.0.0.1/32   trust
            hostssl  all          all  ::1/128        trust
            hostssl  replication  all  127.0.0.1/32   trust
            hostssl  replication  all  ::1/128        trust
            """;

    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
    private final Path dataDirectory;

    private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server, Path dataDirectory) {
        this.server = server;
        this.dataDirectory = dataDirectory;
    }

    /**
     * @param port 0 for a free port
     * @param dataDirectory kept between starts; {@code null} for a temporary one removed on close
     */
    public static EmbeddedPostgres start(int port, Path dataDirectory) {
        return start(port, dataDirectory, Map.of());
    }

    /**
     * @param serverConfig settings over the defaults, e.g. {@link #DURABLE}; the defaults are zonky's, which
     *     trade durability for speed ({@code fsync}, {@code synchronous_commit} and {@code full_page_writes} off)
     */
    public static EmbeddedPostgres start(int port, Path dataDirectory, Map<String, String> serverConfig) {
        try {
            Path home = Path.of(System.getProperty("java.io.tmpdir"), "projection-pipeline-postgres-" + System.getProperty("user.name"));
            Files.createDirectories(home);
            var builder = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                    // the binaries unpack into a folder of ours, not the shared temporary directory
                    .setOverrideWorkingDirectory(home.toFile())
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // its owner stops it, after what uses it: zonky's own hook would stop it at the same time as
                    // the owner's, under a relay still streaming from it
                    .setRegisterShutdownHook(false)
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_wal_senders", "10")
                    .setServerConfig("max_replication_slots", "10")
                    .setServerConfig("wal_writer_delay", "10ms")
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("timezone", "UTC");
            serverConfig.forEach(builder::setServerConfig);
            if (port > 0) {
                builder.setPort(port);
            }
            if (dataDirectory != null) {
                Files.createDirectories(dataDirectory);
                builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false);
            }
            return new EmbeddedPostgres(builder.start(), dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not start: " + e.getMessage(), e);
        }
    }

    /**
     * Server settings, for {@link #start(int, Path, Map)}, that serve TLS with this certificate and accept TCP
     * clients over TLS only: {@code ssl} on, and a {@code pg_hba.conf} of its own, written beside the
     * certificate, with {@code hostssl} entries alone.
     */
    public static Map<String, String> tlsOnly(Certificates.Issued certificate) {
        Path hba = certificate.certificate().resolveSibling("pg_hba.conf");
        try {
            Files.writeString(hba, TLS_ONLY_HBA);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + hba + ": " + e.getMessage(), e);
        }
        return Map.of("ssl", "on", "ssl_cert_file", certificate.certificate().toAbsolutePath().toString(),
                "ssl_key_file", certificate.privateKey().toAbsolutePath().toString(), "hba_file", hba.toAbsolutePath().toString());
    }

    public int port() {
        return server.getPort();
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port() + "/" + DATABASE + "?user=" + USER;
    }

    public DataSource dataSource() {
        return server.getPostgresDatabase();
    }

    /**
     * Stops the server. zonky's stop waits 5 s at most; a busy server may take longer to write its
     * shutdown checkpoint, so this waits (up to a minute) until the server removed its lock file: a start
     * on the same directory and port right after would otherwise find them taken.
     */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (dataDirectory != null) {
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (Files.exists(dataDirectory.resolve("postmaster.pid")) && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}

package dev.projections.eventwriter;

import dev.projections.eventwriter.access.Credentials;
import dev.projections.settings.DatabaseSettings;
import dev.projections.settings.Settings;

/**
 * The writer's settings, validated at once.
 *
 * @param tls the certificate it serves HTTPS with; null for plain HTTP
 * @param credentials who may call it, and how they prove it
 */
public record EventWriterConfig(DatabaseSettings database, String httpHost, int httpPort, int maxRequestBytes, int maxHeaderBytes,
        int poolSize, int httpThreads, WriterTls tls, Credentials credentials) {

    public static final String HTTP_HOST = "http-host";
    public static final String HTTP_PORT = "http-port";
    public static final String MAX_REQUEST_BYTES = "max-request-bytes";
    public static final String MAX_HEADER_BYTES = "max-header-bytes";
    public static final String DB_POOL_SIZE = "db-pool-size";
    public static final String HTTP_THREADS = "http-threads";

    public static EventWriterConfig from(Settings settings) {
        return new EventWriterConfig(
                DatabaseSettings.from(settings),
                settings.string(HTTP_HOST, "0.0.0.0"),
                settings.port(HTTP_PORT, 8080),
                settings.integer(MAX_REQUEST_BYTES, 1024 * 1024, 1024, 64 * 1024 * 1024),
                settings.integer(MAX_HEADER_BYTES, 8 * 1024, 1024, 64 * 1024),
                settings.integer(DB_POOL_SIZE, 10, 1, 500),
                settings.integer(HTTP_THREADS, 16, 1, 1000),
                WriterTls.from(settings),
                Credentials.from(settings));
    }

    /** How the writer is reached, for a ready line: {@code https://localhost:8443}. */
    public String scheme() {
        return tls == null ? "http" : "https";
    }
}

package dev.projections.eventwriter;

import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventwriter.access.Credentials;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer over HTTP (or HTTPS), for producers outside the JVM: Jetty, with TLS when given a certificate, a
 * bound on request headers, a graceful stop, and the writer's JSON for the errors Jetty answers itself. What each
 * request gets is {@link WriterRoutes}'.
 */
public final class WriterHttpServer implements AutoCloseable {

    /** Where and how the server listens; a null {@code tls} serves plain HTTP. */
    public record Options(String host, int port, int threads, int maxRequestBytes, int maxHeaderBytes, WriterTls tls) {

        public static Options of(EventWriterConfig config) {
            return new Options(config.httpHost(), config.httpPort(), config.httpThreads(), config.maxRequestBytes(),
                    config.maxHeaderBytes(), config.tls());
        }
    }

    public static final String CORRELATION_HEADER = "X-Correlation-ID";
    private static final Logger LOG = LoggerFactory.getLogger(WriterHttpServer.class);
    private static final long STOP_PATIENCE_MILLIS = 5_000;

    private final Server server;

    private WriterHttpServer(Server server) {
        this.server = server;
    }

    public static WriterHttpServer start(EventStore store, Options options, Credentials credentials, MeterRegistry registry) {
        QueuedThreadPool threads = new QueuedThreadPool(options.threads() + 4, Math.min(options.threads() + 4, 8));
        threads.setName("writer-http");
        threads.setDaemon(true);
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(options.maxHeaderBytes());
        http.setSendServerVersion(false);
        ServerConnector connector;
        if (options.tls() != null) {
            http.addCustomizer(new SecureRequestCustomizer());
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setKeyStore(options.tls().keyStore());
            tls.setKeyStorePassword(options.tls().password());
            connector = new ServerConnector(server, 1, 1, new SslConnectionFactory(tls, HttpVersion.HTTP_1_1.asString()),
                    new HttpConnectionFactory(http));
        } else {
            connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        }
        connector.setHost(options.host());
        connector.setPort(options.port());
        server.addConnector(connector);
        // a stop lets the requests under way finish, then closes the connections
        server.setHandler(new GracefulHandler(new WriterRoutes(store, credentials, options.maxRequestBytes(), registry)));
        server.setStopTimeout(STOP_PATIENCE_MILLIS);
        server.setErrorHandler(new JsonErrors());
        try {
            server.start();
        } catch (Exception e) {
            stopQuietly(server);
            throw new UncheckedIOException(new IOException("the writer cannot listen on " + options.host() + ":" + options.port() + ": "
                    + e.getMessage(), e));
        }
        return new WriterHttpServer(server);
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** Errors Jetty answers itself (a header too large, a malformed request) in the writer's JSON form. */
    private static final class JsonErrors extends ErrorHandler {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int status = response.getStatus();
            Object reason = request.getAttribute(ERROR_MESSAGE);
            String message = status == 431 ? "the request's headers are larger than the writer accepts (max-header-bytes)"
                    : reason != null ? reason.toString() : "the request could not be read";
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            String error = status == 431 ? "headers_too_large" : status < 500 ? "bad_request" : "internal_error";
            response.write(true, ByteBuffer.wrap(EventJson.toBytes(WriterResponses.error(error, message))), callback);
            return true;
        }
    }

    @Override
    public void close() {
        stopQuietly(server);
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("the writer's HTTP server did not stop cleanly: {}", e.toString());
        }
    }
}

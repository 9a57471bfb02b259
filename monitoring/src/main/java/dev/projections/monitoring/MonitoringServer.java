package dev.projections.monitoring;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The HTTP server of a component that serves nothing else: the relay, a projector. */
public final class MonitoringServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;

    private MonitoringServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    public static MonitoringServer start(Monitoring monitoring, String host, int port) {
        try {
            System.setProperty("sun.net.httpserver.nodelay", "true");
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
            ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
                Thread thread = new Thread(runnable, "monitoring-http");
                thread.setDaemon(true);
                return thread;
            });
            monitoring.serveOn(server);
            server.setExecutor(executor);
            server.start();
            return new MonitoringServer(server, executor);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve /metrics and /health on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

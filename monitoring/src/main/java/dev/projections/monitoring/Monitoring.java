package dev.projections.monitoring;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.logging.LogbackMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.LoggerFactory;

/**
 * A component's metrics registry and health checks, and the endpoints that serve them:
 * {@code /metrics} (Prometheus text format), {@code /health/live} (the process answers) and
 * {@code /health} or {@code /health/ready} (every dependency, 503 when one is down).
 */
public final class Monitoring {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrometheusMeterRegistry registry;
    private final Map<String, HealthCheck> checks = new ConcurrentHashMap<>();
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final LogbackMetrics logMetrics = logback() ? new LogbackMetrics() : null;

    /** @param filters the caller's, such as finer buckets for a timer, configured before any meter is registered */
    public Monitoring(String component, MeterFilter... filters) {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("component", component)
                // named against Prometheus' conventions (promtool rejects them); the rest of the binder stays
                .meterFilter(MeterFilter.deny(id -> id.getName().equals("system.cpu.count") || id.getName().equals("process.cpu.time")));
        for (MeterFilter filter : filters) {
            registry.config().meterFilter(filter);
        }
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        if (logMetrics != null) {
            // logback_events_total{level="error"}: the errors an alert watches
            logMetrics.bindTo(registry);
        }
    }

    private static boolean logback() {
        try {
            return LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext;
        } catch (NoClassDefFoundError absent) {
            return false;
        }
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Adds (or replaces) the check of a dependency, such as {@code postgres}. */
    public void addCheck(String name, HealthCheck check) {
        checks.put(name, check);
    }

    public void removeCheck(String name) {
        checks.remove(name);
    }

    /** Serves the endpoints on an HTTP server of the component's own. */
    public void serveOn(HttpServer server) {
        server.createContext("/metrics", exchange -> {
            try (exchange) {
                respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape().getBytes(StandardCharsets.UTF_8));
            }
        });
        server.createContext("/health/live", exchange -> {
            try (exchange) {
                respond(exchange, 200, "application/json", "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8));
            }
        });
        server.createContext("/health", exchange -> {
            try (exchange) {
                ObjectNode body = JSON.createObjectNode();
                boolean down = false;
                Map<String, Health> results = readiness();
                ObjectNode details = body.putObject("checks");
                for (Map.Entry<String, Health> result : results.entrySet()) {
                    details.putObject(result.getKey()).put("status", result.getValue().status().name())
                            .put("detail", result.getValue().detail());
                    down |= result.getValue().status() == Health.Status.DOWN;
                }
                body.put("status", down ? "DOWN" : "UP");
                respond(exchange, down ? 503 : 200, "application/json", JSON.writeValueAsBytes(body));
            }
        });
    }

    /** Every check's answer; a check that throws is down. */
    public Map<String, Health> readiness() {
        Map<String, Health> results = new LinkedHashMap<>();
        checks.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
            Health health;
            try {
                health = entry.getValue().check();
            } catch (RuntimeException e) {
                health = Health.down(e.getMessage());
            }
            results.put(entry.getKey(), health);
        });
        return results;
    }

    private static void respond(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    public void close() {
        gcMetrics.close();
        if (logMetrics != null) {
            logMetrics.close();
        }
        registry.close();
    }
}

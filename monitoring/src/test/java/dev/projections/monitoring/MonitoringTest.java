package dev.projections.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class MonitoringTest {

    /** A sample line of the Prometheus text format: name, optional labels, value. */
    private static final Pattern SAMPLE = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*})? -?[0-9.eE+-]+|.* (NaN|[+-]Inf)");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Monitoring monitoring;
    private MonitoringServer server;

    @BeforeEach
    void start() {
        monitoring = new Monitoring("test");
        server = MonitoringServer.start(monitoring, "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        server.close();
        monitoring.close();
    }

    @Test
    void givenACounter_whenMetricsAreScraped_thenItIsThereInPrometheusFormatWithTheComponentTag() throws Exception {
        Counter.builder("pipeline.test.events").register(monitoring.registry()).increment(3);

        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("pipeline_test_events_total{component=\"test\"} 3.0", "jvm_memory_used_bytes")
                .doesNotContain("system_cpu_count", "process_cpu_time_ns");
        assertThat(response.body().lines().filter(line -> !line.startsWith("#") && !line.isBlank()))
                .allMatch(line -> SAMPLE.matcher(line).matches());
    }

    @Test
    void givenAnErrorLogged_whenMetricsAreScraped_thenTheErrorsCounterOfItsLevelCountsIt() throws Exception {
        LoggerFactory.getLogger(MonitoringTest.class).error("a line an alert counts");

        HttpResponse<String> response = get("/metrics");

        assertThat(response.body()).contains("logback_events_total{component=\"test\",level=\"error\"} 1.0");
    }

    @Test
    void givenADependencyDown_whenHealthIsAsked_then503NamingItWhileLivenessStays200() throws Exception {
        monitoring.addCheck("postgres", () -> Health.up("answers"));
        monitoring.addCheck("kafka", () -> Health.down("no broker at kafka:9092"));
        monitoring.addCheck("slot", () -> {
            throw new IllegalStateException("slot query failed");
        });

        HttpResponse<String> health = get("/health");

        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).contains("\"status\":\"DOWN\"", "\"kafka\":{\"status\":\"DOWN\",\"detail\":\"no broker at kafka:9092\"}",
                "\"postgres\":{\"status\":\"UP\"", "\"slot\":{\"status\":\"DOWN\",\"detail\":\"slot query failed\"}");
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void givenAStandbyRelay_whenHealthIsAsked_thenItIsReadyAndSaysStandby() throws Exception {
        monitoring.addCheck("slot", () -> Health.standby("another relay holds slot pipeline_relay"));

        HttpResponse<String> health = get("/health");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"STANDBY\"");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

package dev.projections.pipelinetools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyRecorderTest {

    @Test
    void givenLatenciesBeforeAndDuringARun_whenTheResultIsTaken_thenOnlyTheRunsCountAndEachPercentileIsWithinItsBucket() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(LatencyRecorder.fineBuckets(LatencyRecorder.TIMER));
        LatencyRecorder recorder = new LatencyRecorder(registry);
        // registered as a projector registers it
        Timer timer = Timer.builder(LatencyRecorder.TIMER).tags("read_model", "document").publishPercentileHistogram().register(registry);
        timer.record(Duration.ofSeconds(30));

        recorder.start(List.of("document"));
        for (int millis = 1; millis <= 1_000; millis++) {
            timer.record(Duration.ofMillis(millis));
        }
        BenchResults.Latency latency = recorder.result("document", 1_000, 990);

        assertThat(latency.events()).isEqualTo(1_000);
        assertThat(latency.p50Millis()).isCloseTo(500, within(10.0));
        assertThat(latency.p99Millis()).isCloseTo(990, within(20.0));
        assertThat(latency.maxMillis()).isCloseTo(1_000, within(20.0)).isLessThan(30_000);
        assertThat(latency.curvePercentiles()).hasSize(latency.curveMillis().length).startsWith(0.0);
        assertThat(latency.curveMillis()).isSorted();
    }
}

package dev.projections.pipelinetools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.pipelinetools.bench.BenchResults.Ceilings;
import dev.projections.pipelinetools.bench.BenchResults.Durability;
import dev.projections.pipelinetools.bench.BenchResults.Latency;
import dev.projections.pipelinetools.bench.BenchResults.Machine;
import dev.projections.pipelinetools.bench.BenchResults.Memory;
import dev.projections.pipelinetools.bench.BenchResults.Series;
import dev.projections.pipelinetools.bench.BenchResults.Throughput;
import dev.projections.pipelinetools.bench.BenchResults.Workload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {

    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @Test
    void givenResults_whenWritten_thenMarkdownJsonAndPlotsExist(@TempDir Path directory) throws Exception {
        List<Path> written = BenchReport.write(results(), directory.resolve("run"));

        Path run = directory.resolve("run");
        assertThat(written).extracting(Path::getFileName).extracting(Path::toString)
                .containsExactlyInAnyOrder("report.md", "report.json", "latency.png", "throughput.png", "lag.png");
        String markdown = Files.readString(run.resolve("report.md"));
        assertThat(markdown).contains(
                "# Pipeline bench",
                "| Stage | Events | Seconds | Events/s | Ceiling (rows/s) | Of ceiling |",
                "| ceiling: batched event inserts | — | — | 52,000 |",
                "| ceiling: batched read-model upserts | — | — | 31,500 |",
                "| relay | 120,000 | 10.0 | 12,000 | 52,000 | 23% |",
                "| catch-up: document | 120,000 | 20.0 | 6,000 | 31,500 | 19% |",
                "| rebuild: document | 120,000 | 30.0 | 4,000 | — | — |",
                "| scale-out document: 2 instances | 120,000 | 15.0 | 8,000 |",
                "| document | 1,000 | 998 | 30,000 | 4.0 | 9.0 | 15.0 | 250.0 |",
                "Memory: pipeline peak RSS 1,024 MiB, PostgreSQL peak RSS 512 MiB.",
                "- PostgreSQL's WAL flush",
                "![latency](latency.png)",
                "`verify document` of 333,334 aggregates (1,000,000 events): 80.0 s, 4,167 aggregates/s, 0 difference(s)",
                "| while verify runs | 80,000 | 11.0 | 19.0 | 30.0 | 90.0 |");

        JsonNode json = EventJson.MAPPER.readTree(run.resolve("report.json").toFile());
        assertThat(json.path("ceilings").path("eventInsertsPerSecond").asDouble()).isEqualTo(52_000);
        assertThat(json.path("latency")).hasSize(2);
        assertThat(json.path("latency").get(0).path("events").asInt()).isEqualTo(30_000);
        assertThat(json.path("latency").get(0).path("curvePercentiles")).hasSize(401);
        assertThat(json.path("relay").path("eventsPerSecond").asDouble()).isEqualTo(12_000);
        assertThat(json.path("startedAt").asText()).isEqualTo("2025-01-02T03:04:05Z");

        for (String plot : List.of("latency.png", "throughput.png", "lag.png")) {
            byte[] bytes = Files.readAllBytes(run.resolve(plot));
            assertThat(Arrays.copyOf(bytes, PNG_MAGIC.length)).as(plot).isEqualTo(PNG_MAGIC);
        }
    }

    @Test
    void givenPercentilesOnAnAxisOfNines_whenLabelled_thenEachTickIsNamedByItsPercentile() {
        assertThat(BenchPlots.nines(90)).isCloseTo(1, within(1e-9));
        assertThat(BenchPlots.nines(99.9)).isCloseTo(3, within(1e-9));
        assertThat(List.of(0.0, 0.5, 1.0, 2.0, 2.5, 3.0, 4.0)).extracting(BenchPlots::percentileLabel)
                .containsExactly("0%", "68%", "90%", "99%", "99.7%", "99.9%", "99.99%");
    }

    @Test
    void givenNoSamplesAndNoSeries_whenWritten_thenPlaceholderPlotsAreWritten(@TempDir Path directory) throws Exception {
        BenchResults empty = new BenchResults(Instant.EPOCH, "external", null, null, null, new Ceilings(0, 0), null,
                List.of(), List.of(new Latency("document", 100, 0, 0, 0, 0, 0, 0, new double[0], new double[0])), List.of(), List.of(),
                new Memory(0, 0), List.of(new Series("relay", "relay", new double[0], new double[0])), List.of(), List.of(), null);

        BenchReport.write(empty, directory);

        assertThat(Files.readString(directory.resolve("report.md"))).doesNotContain("What limits it");
        for (String plot : List.of("latency.png", "throughput.png", "lag.png")) {
            assertThat(Arrays.copyOf(Files.readAllBytes(directory.resolve(plot)), PNG_MAGIC.length)).as(plot).isEqualTo(PNG_MAGIC);
        }
    }

    private static BenchResults results() {
        double[] percentiles = IntStream.rangeClosed(0, 400).mapToDouble(k -> 100 * (1 - Math.pow(10, -k / 100.0))).toArray();
        double[] millis = IntStream.rangeClosed(0, 400).mapToDouble(k -> 1 + k / 4.0).toArray();
        double[] seconds = {0, 1, 2, 3};
        return new BenchResults(
                Instant.parse("2025-01-02T03:04:05Z"), "embedded",
                new Machine(8, 16L << 30, "17.0.12", "17.6", "4.3.1"),
                new Durability(true, "on", "on", "10ms", "100ms"),
                new Workload(20_000, 120_000, 30_000, 4, 5, 20),
                new Ceilings(52_000, 31_500),
                new Throughput("relay", 120_000, 10, 52_000),
                List.of(new Throughput("document", 120_000, 20, 31_500)),
                List.of(new Latency("document", 1_000, 998, 30_000, 4, 9, 15, 250, percentiles, millis),
                        new Latency("search", 1_000, 1_000, 0, 0, 0, 0, 0, new double[0], new double[0])),
                List.of(new Throughput("document", 120_000, 30, 0)),
                List.of(new Throughput("1 instance", 120_000, 25, 31_500), new Throughput("2 instances", 120_000, 15, 31_500)),
                new Memory(1L << 30, 512L << 20),
                List.of(new Series("relay", "relay", seconds, new double[] {0, 11_000, 12_500, 12_000}),
                        new Series("document", "catch-up", new double[0], new double[0])),
                List.of(new Series("document", "catch-up", seconds, new double[] {120_000, 80_000, 30_000, 0})),
                List.of("PostgreSQL's WAL flush: every commit waits for fsync."),
                new BenchResults.VerifyUnderLoad("document", 1_000_000, 333_334, 80, 0,
                        new Latency("document", 1_000, 1_000, 20_000, 10, 17, 24, 70, new double[0], new double[0]),
                        new Latency("document", 1_000, 1_000, 80_000, 11, 19, 30, 90, new double[0], new double[0])));
    }
}

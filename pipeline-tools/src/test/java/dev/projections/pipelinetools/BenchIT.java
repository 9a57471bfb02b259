package dev.projections.pipelinetools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.projections.eventcatalogue.EventJson;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The short bench, run as a user runs it: only the report's shape is checked, never a timing. */
class BenchIT {

    @Test
    void givenTheShortBench_whenRun_thenItReportsEveryStageInMarkdownJsonAndPlots(@TempDir Path out) throws Exception {
        CommandLine cli = PipelineTools.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("bench", "--short", "--out", out.toString());

        assertThat(exit).as("exit code; stderr: %s", err).isZero();
        String markdown = Files.readString(out.resolve("report.md"));
        assertThat(markdown).contains("| Stage | Events | Seconds | Events/s | Ceiling (rows/s) | Of ceiling |",
                "ceiling: batched event inserts", "ceiling: batched read-model upserts", "| relay |", "catch-up: document",
                "catch-up: semantic-ir", "rebuild: document", "rebuild: semantic-ir", "scale-out document: 1 instance",
                "| document | 200 |", "| semantic-ir | 200 |", "Durability: durable no, fsync off", "peak RSS", "## Targets",
                "| catch-up of every read model at least 10,000 events/s |", "## What limits it",
                "after 150 events of warm-up", "- warm-up: 150 events through the relay and every projector, not measured");
        JsonNode json = EventJson.MAPPER.readTree(out.resolve("report.json").toFile());
        assertThat(json.path("workload").path("events").asInt()).isEqualTo(600);
        assertThat(json.path("workload").path("warmUpEvents").asInt()).isEqualTo(150);
        assertThat(json.path("catchUp")).hasSize(2);
        assertThat(json.path("latency")).hasSize(2);
        assertThat(json.path("latency").get(0).path("events").asLong()).isPositive();
        assertThat(json.path("scaleOut")).hasSize(1);
        assertThat(json.path("memory").path("pipelinePeakRssBytes").asLong()).isPositive();
        for (String plot : new String[] {"latency.png", "throughput.png", "lag.png"}) {
            byte[] png = Files.readAllBytes(out.resolve(plot));
            assertThat(png).as(plot).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
        }
    }

    @Test
    void givenTheWriterBench_whenRunBriefly_thenItReportsEveryStageWithNoUnexpectedAnswer(@TempDir Path out) throws Exception {
        CommandLine cli = PipelineTools.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("bench", "writer", "--rounds", "1", "--duration", "PT1S", "--warm-up", "PT0S", "--clients", "2",
                "--out", out.toString());

        assertThat(exit).as("exit code; stderr: %s", err).isZero();
        List<String> rows = Files.readAllLines(out.resolve("writer.md")).stream().filter(line -> line.startsWith("| appends")
                || line.startsWith("| refusals")).toList();
        assertThat(rows).hasSize(5).allSatisfy(row -> assertThat(row).endsWith(" | 0 |"));
        assertThat(rows.get(1)).startsWith("| appends, TLS, API key | 201 |");
        assertThat(rows.get(4)).startsWith("| refusals, TLS, forged token | 401 |");
        assertThat(Files.readString(out.resolve("writer.md"))).contains("Verifying one token in-process");
    }

    @Test
    void givenTheRelayBench_whenRunBriefly_thenItReportsOneAndTwoShardsCatchingUpAndAtARateAndTheModel(@TempDir Path out) throws Exception {
        CommandLine cli = PipelineTools.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("bench", "relay", "--rounds", "1", "--events", "600", "--warm-up-events", "300", "--rate", "300",
                "--rate-events", "300", "--out", out.toString());

        assertThat(exit).as("exit code; stderr: %s", err).isZero();
        String report = Files.readString(out.resolve("relay.md"));
        assertThat(report).contains("Catch-up: 600 events a run", "At 300 events/s: 300 events a run", "What limits 1 shard(s)",
                "What limits 2 shard(s)", "Model, not a measurement");
        // a row for each shard count in each stage
        assertThat(report.lines().filter(line -> line.startsWith("| 1 |") || line.startsWith("| 2 |"))).hasSize(4);
    }
}

package dev.projections.pipelinetools;

import dev.projections.pipelinetools.bench.WriterBench;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "writer", mixinStandardHelpOptions = true,
        description = {"Measure what the writer's TLS and credentials cost: appends per second and answer times, open and plain beside",
            "TLS with an API key or a bearer token, refusals per second, and one token's verification. On loopback and embedded PostgreSQL."})
final class BenchWriterCommand implements Callable<Integer> {

    @Option(names = "--clients", defaultValue = "8", description = "Clients sending one request after another, default ${DEFAULT-VALUE}")
    int clients;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds of every stage, one after another, default ${DEFAULT-VALUE}")
    int rounds;

    @Option(names = "--duration", defaultValue = "PT5S", description = "How long each stage is measured in a round (ISO-8601), default 5 s")
    Duration duration;

    @Option(names = "--warm-up", defaultValue = "PT2S", description = "How long each stage runs first, not measured (ISO-8601), default 2 s")
    Duration warmUp;

    @Option(names = "--out", defaultValue = "bench-report", description = "Directory of the report, writer.md, default ${DEFAULT-VALUE}")
    Path out;

    @Override
    public Integer call() throws Exception {
        return BenchCommand.report(out, "writer.md", work -> new WriterBench(clients, rounds, warmUp, duration, System.out).run(work));
    }
}

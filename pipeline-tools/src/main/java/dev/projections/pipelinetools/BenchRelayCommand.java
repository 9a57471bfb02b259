package dev.projections.pipelinetools;

import dev.projections.pipelinetools.bench.RelayBench;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "relay", mixinStandardHelpOptions = true,
        description = {"Measure the relay with 1 shard and with 2, catching up and at a fixed rate: events/s, the busiest decoding thread's share",
            "of a core, and CPU per event of the machine, the relay and PostgreSQL; then a model of what N shards reach on N free cores.",
            "On embedded PostgreSQL and a broker process."})
final class BenchRelayCommand implements Callable<Integer> {

    @Option(names = "--events", defaultValue = "30000", description = "Events a run relays, measured, default ${DEFAULT-VALUE}")
    int events;

    @Option(names = "--warm-up-events", defaultValue = "15000", description = "Events each run relays first, not measured, default ${DEFAULT-VALUE}")
    int warmUpEvents;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds, each running every shard count once, default ${DEFAULT-VALUE}")
    int rounds;

    @Option(names = "--shards", split = ",", defaultValue = "1,2", description = "Shard counts to run, default ${DEFAULT-VALUE}")
    List<Integer> shards;

    @Option(names = "--rate", defaultValue = "1000", description = "Events a second of the fixed-rate stage, one a transaction; 0 leaves"
            + " the stage out; default ${DEFAULT-VALUE}")
    int rate;

    @Option(names = "--rate-events", defaultValue = "10000", description = "Events a fixed-rate run relays, measured, default ${DEFAULT-VALUE}")
    int rateEvents;

    @Option(names = "--out", defaultValue = "bench-report", description = "Directory of the report, relay.md, default ${DEFAULT-VALUE}")
    Path out;

    @Override
    public Integer call() throws Exception {
        return BenchCommand.report(out, "relay.md", work -> new RelayBench(events, warmUpEvents, rounds, shards, rate, rateEvents, System.out).run(work));
    }
}

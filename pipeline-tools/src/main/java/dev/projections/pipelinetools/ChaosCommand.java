package dev.projections.pipelinetools;

import dev.projections.pipelinetools.chaos.ChaosRun;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = {"Inject faults into real processes while events are written, then check every read model.",
            "A PostgreSQL server and a Kafka broker process (restarted), two relays and the projectors (kill -9), writers on hot",
            "aggregates, one poison event in a thousand. Exits 1 unless every read model equals its events, no acknowledged",
            "write is lost and exactly the poison events are parked."})
final class ChaosCommand implements Callable<Integer> {

    @Option(names = "--events", defaultValue = "100000", description = "Events to acknowledge at least, default ${DEFAULT-VALUE}")
    long events;

    @Option(names = "--faults", defaultValue = "50", description = "Faults to inject, default ${DEFAULT-VALUE}")
    int faults;

    @Option(names = "--writers", defaultValue = "4", description = "Writer threads, default ${DEFAULT-VALUE}")
    int writers;

    @Option(names = "--rate", defaultValue = "400", description = "Events per second the writers aim at together, default ${DEFAULT-VALUE}")
    int rate;

    @Option(names = "--document-projectors", defaultValue = "3", description = "Instances of the document projector, default ${DEFAULT-VALUE}")
    int documentProjectors;

    @Option(names = "--session-timeout", paramLabel = "DURATION",
            description = "The projectors' session.timeout.ms (ISO-8601, e.g. PT10S): how long a killed instance's partitions wait for it;"
                    + " the projectors' default (10 s) when omitted")
    Duration sessionTimeout;

    @Option(names = "--instance-ids", description = "Give each projector process a projector-instance-id of its own (static membership),"
            + " as a StatefulSet would: restarted, it takes its partitions back without waiting for a rebalance")
    boolean instanceIds;

    @Option(names = "--relay-shards", defaultValue = "1",
            description = "Shards the relays run (relay-shards), each relay process every shard: a kill -9 lands on active relays of any shard,"
                    + " default ${DEFAULT-VALUE}")
    int relayShards;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the fault plan and the writers, default ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--short", description = "A run of two minutes or so: at least 1,500 events, 4 faults (one of each kind),"
            + " 2 document projectors")
    boolean shortRun;

    @Override
    public Integer call() throws Exception {
        ChaosRun.Options options = shortRun ? new ChaosRun.Options(1_500, 4, 3, 150, 2, null, instanceIds, relayShards, seed)
                : new ChaosRun.Options(events, faults, writers, rate, documentProjectors, sessionTimeout, instanceIds, relayShards, seed);
        return new ChaosRun(options, System.out).run();
    }
}

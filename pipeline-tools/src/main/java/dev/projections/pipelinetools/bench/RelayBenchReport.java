package dev.projections.pipelinetools.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The relay bench's report, {@code relay.md}: for each stage a table of each shard count's medians, then the
 * busiest threads, what limited each shard count at catch-up, and the model of what N shards reach.
 */
final class RelayBenchReport {

    /** One run: events/s, the busiest decoding threads' share of a core, and CPU time per event. */
    record Run(int shards, long events, double seconds, double debeziumCores, double walSenderCores, double machineMicros,
            double relayMicros, double relayingMicros, double jitMicros, double postgresMicros, double machineCores, double delayP50Millis,
            double delayP99Millis, List<String> busiestThreads) {

        double perSecond() {
            return events / seconds;
        }

        /** The CPU of the busier of the two threads that decode each event of a shard, per event: what caps one shard. */
        double decodingMicros() {
            return Math.max(debeziumCores, walSenderCores) * seconds / events * 1e6;
        }
    }

    /** How a run's measured events are committed. */
    enum Stage {
        CATCH_UP, RATE
    }

    private final int events;
    private final int warmUpEvents;
    private final int rounds;
    private final List<Integer> shardCounts;
    private final int rate;
    private final int rateEvents;
    private final int writers;

    /** The bench's settings, as the report states them; {@code writers} append at the fixed rate. */
    RelayBenchReport(int events, int warmUpEvents, int rounds, List<Integer> shardCounts, int rate, int rateEvents, int writers) {
        this.events = events;
        this.warmUpEvents = warmUpEvents;
        this.rounds = rounds;
        this.shardCounts = List.copyOf(shardCounts);
        this.rate = rate;
        this.rateEvents = rateEvents;
        this.writers = writers;
    }

    /** The report's lines from every run, by stage and shard count, in the order they ran. */
    List<String> lines(Map<Stage, Map<Integer, List<Run>>> runs) {
        List<String> lines = new ArrayList<>();
        int cores = Runtime.getRuntime().availableProcessors();
        lines.add(String.format(Locale.US, "relay bench: %d round(s), medians; each run first relays %,d events, not measured. On %d cores,"
                + " beside PostgreSQL and the inserts; the broker in a process of its own.", rounds, warmUpEvents, cores));
        Map<Integer, Run> medians = new LinkedHashMap<>();
        List<String> busiest = new ArrayList<>();
        runs.forEach((stage, byShards) -> {
            lines.add("");
            lines.add(stage == Stage.CATCH_UP
                    ? String.format(Locale.US, "Catch-up: %,d events a run, documents of 3 events committed in batches of 500, as fast as the relay"
                            + " takes them.", events)
                    : String.format(Locale.US, "At %,d events/s: %,d events a run, one a transaction from %d writers, as appends come. The delay"
                            + " is the relay's own pipeline_relay_delay_seconds, from an event's commit to Kafka's acknowledgement, to within"
                            + " 2%%.", rate, rateEvents, writers));
            lines.add("");
            boolean delays = stage == Stage.RATE;
            lines.add("| shards | events/s | lowest–highest | busiest Debezium thread (cores) | busiest WAL sender (cores) | machine (µs/event) "
                    + "| relay process (µs/event) | relaying: relay, WAL senders, broker (µs/event) | JIT compiling, relay process and broker, left out (µs/event) "
                    + "| PostgreSQL (µs/event) | machine busy (cores) |" + (delays ? " delay p50 (ms) | delay p99 (ms) |" : ""));
            lines.add("|---|---|---|---|---|---|---|---|---|---|---|" + (delays ? "---|---|" : ""));
            byShards.forEach((shards, list) -> {
                double[] rates = list.stream().mapToDouble(Run::perSecond).sorted().toArray();
                Run median = new Run(shards, list.get(0).events(), median(list, run -> run.seconds()), median(list, Run::debeziumCores),
                        median(list, Run::walSenderCores), median(list, Run::machineMicros), median(list, Run::relayMicros),
                        median(list, Run::relayingMicros), median(list, Run::jitMicros), median(list, Run::postgresMicros),
                        median(list, Run::machineCores), median(list, Run::delayP50Millis), median(list, Run::delayP99Millis),
                        list.get(list.size() - 1).busiestThreads());
                if (stage == Stage.CATCH_UP) {
                    medians.put(shards, median);
                }
                busiest.add(String.format(Locale.US, "Busiest threads of the relay process with %d shard(s) %s, cores (the last round): %s",
                        shards, stage == Stage.CATCH_UP ? "at catch-up" : String.format(Locale.US, "at %,d events/s", rate),
                        String.join(", ", median.busiestThreads())));
                lines.add(String.format(Locale.US, "| %d | %,.0f | %,.0f–%,.0f | %.2f | %.2f | %.0f | %.0f | %.0f | %.0f | %.0f | %.2f of %d |",
                        shards, median.perSecond(), rates[0], rates[rates.length - 1], median.debeziumCores(), median.walSenderCores(),
                        median.machineMicros(), median.relayMicros(), median.relayingMicros(), median.jitMicros(), median.postgresMicros(),
                        median.machineCores(), cores)
                        + (delays ? String.format(Locale.US, " %.1f | %.1f |", median.delayP50Millis(), median.delayP99Millis()) : ""));
            });
        });
        lines.add("");
        Run one = medians.get(shardCounts.get(0));
        double decoding = one.decodingMicros();
        double perThread = 1e6 / decoding;
        lines.addAll(busiest);
        medians.values().forEach(run -> lines.add(String.format(Locale.US, "What limits %d shard(s) at catch-up: %s", run.shards(),
                limit(run, cores))));
        lines.add(String.format(Locale.US, "Model, not a measurement: one shard's busiest decoding thread took %.0f µs of CPU per event, so one"
                + " shard decodes at most %,.0f events/s; N shards on N free cores, at most N × %,.0f. The whole machine took %.0f µs per event"
                + " (the relay process %.0f), so C cores carry at most C × %,.0f events/s: N shards reach about min(N × %,.0f, C × %,.0f).",
                decoding, perThread, perThread, one.machineMicros(), one.relayMicros(), 1e6 / one.machineMicros(), perThread,
                1e6 / one.machineMicros()));
        return lines;
    }

    /** What held a catch-up run's events/s: a decoding thread near a core, the machine's cores, or neither. */
    private static String limit(Run run, int cores) {
        double decoding = Math.max(run.debeziumCores(), run.walSenderCores());
        if (decoding > 0.8) {
            return String.format(Locale.US, "the busiest decoding thread, %.2f of a core, with %.2f of %d cores busy", decoding,
                    run.machineCores(), cores);
        }
        if (run.machineCores() > 0.8 * cores) {
            return String.format(Locale.US, "the machine's cores, %.2f of %d busy: the shards' threads share them with PostgreSQL's inserts and"
                    + " WAL senders and the relay's publishing, so more shards cannot add events/s here", run.machineCores(), cores);
        }
        return String.format(Locale.US, "neither a decoding thread (the busiest %.2f of a core) nor the cores (%.2f of %d busy): the relay"
                + " waits, for Kafka's acknowledgement of each batch and for the inserts' commits", decoding, run.machineCores(), cores);
    }

    private static double median(List<Run> runs, ToDoubleFunction<Run> figure) {
        double[] values = runs.stream().mapToDouble(figure).sorted().toArray();
        return values.length % 2 == 1 ? values[values.length / 2] : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }
}

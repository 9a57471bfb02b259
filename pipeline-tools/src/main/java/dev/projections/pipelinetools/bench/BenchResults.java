package dev.projections.pipelinetools.bench;

import java.time.Instant;
import java.util.List;

/** Every figure of one bench run, as the report, its JSON file and its plots show them. */
public record BenchResults(
        Instant startedAt,
        String mode,
        Machine machine,
        Durability durability,
        Workload workload,
        Ceilings ceilings,
        Throughput relay,
        List<Throughput> catchUp,
        List<Latency> latency,
        List<Throughput> rebuild,
        List<Throughput> scaleOut,
        Memory memory,
        List<Series> throughputOverTime,
        List<Series> lagOverTime,
        List<String> limits,
        VerifyUnderLoad verifyUnderLoad) {

    /**
     * {@code verify} of a read model of {@code events} events at size, beside live projection: how long it took,
     * what it found, and the latency at the same fixed rate without it and while it ran. Null when not asked for.
     */
    public record VerifyUnderLoad(String readModel, long events, int aggregates, double seconds, int differences, Latency without,
            Latency during) {

        public double aggregatesPerSecond() {
            return seconds <= 0 ? 0 : aggregates / seconds;
        }
    }

    /** Where it ran: {@code mode} is "embedded" (local mode's services) or "external". */
    public record Machine(int cores, long memoryBytes, String java, String postgres, String kafka) {
    }

    /** The database's durability as the server reported it, and the projector's commit interval. */
    public record Durability(boolean durable, String fsync, String synchronousCommit, String walWriterDelay,
            String projectorCommitInterval) {
    }

    /**
     * What was written: the burst's documents (each uploaded, converted and extracted) and the events they
     * make; the writers of the fixed rates, and how long each rate ran unmeasured, then measured.
     */
    public record Workload(int documents, int events, int warmUpEvents, int writers, double warmUpSeconds, double rateSeconds) {
    }

    /** Batched inserts into a scratch copy of the events table, batched upserts of read-model rows: rows per second. */
    public record Ceilings(double eventInsertsPerSecond, double readModelUpsertsPerSecond) {
    }

    /**
     * Events through one stage in a given time. {@code name} says which: a read model, "relay", or for a
     * scale-out run the number of instances ("1 instance", "2 instances"). {@code ceiling} is the rows per
     * second it is compared with (0 when none applies).
     */
    public record Throughput(String name, long events, double seconds, double ceiling) {

        public double eventsPerSecond() {
            return seconds <= 0 ? 0 : events / seconds;
        }

        /** The share of the ceiling reached, 0 when there is no ceiling. */
        public double ofCeiling() {
            return ceiling <= 0 ? 0 : eventsPerSecond() / ceiling;
        }
    }

    /**
     * From an event's commit in the event store to the commit of its rows in a read model, one event per
     * transaction at a fixed target rate; {@code curveMillis} is the latency at each of {@code curvePercentiles},
     * for the plot.
     */
    public record Latency(String readModel, int targetRate, double achievedRate, long events, double p50Millis,
            double p95Millis, double p99Millis, double maxMillis, double[] curvePercentiles, double[] curveMillis) {
    }

    /** Peak resident memory of the pipeline's process (broker included in embedded mode) and of PostgreSQL. */
    public record Memory(long pipelinePeakRssBytes, long postgresPeakRssBytes) {
    }

    /** A line of a plot: values over seconds since the stage began. */
    public record Series(String name, String stage, double[] seconds, double[] values) {
    }
}

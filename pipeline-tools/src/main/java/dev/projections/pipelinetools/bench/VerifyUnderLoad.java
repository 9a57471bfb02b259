package dev.projections.pipelinetools.bench;

import dev.projections.projectorstreams.Projections;
import dev.projections.projectorstreams.operations.ReadModelVerifier;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * {@code bin/pipeline verify} of the document read model at size, beside live projection: the read model
 * grown to the events asked for, then events at a fixed rate for as long as without a verify, and again for
 * as long as a verify takes, with the end-to-end latency of each.
 */
final class VerifyUnderLoad {

    /** What the stage shares with the rest of the bench: its services, workload, counts and recorder. */
    record Context(BenchServices services, BenchWorkload workload, ReadModelProgress progress, LatencyRecorder latencies,
            Map<String, Long> written, BooleanSupplier failed, int writers, ResourceMeter meter, Consumer<String> say) {
    }

    private static final String READ_MODEL = "document";
    /** Loaded in parts, so that the workload's events are never all in memory. */
    private static final int LOAD_PART = 30_000;
    /** The fixed rate goes on in stretches this long until the verify is done. */
    private static final Duration STRETCH = Duration.ofSeconds(5);

    private VerifyUnderLoad() {
    }

    static BenchResults.VerifyUnderLoad run(Context context, long events, int rate, Duration duration) throws Exception {
        context.say().accept("verify under load: " + events + " events into the event store, through the relay and the projectors");
        long loaded = 0;
        Map<String, Long> from = new LinkedHashMap<>(context.written());
        while (loaded < events) {
            List<BenchWorkload.Event> part = context.workload().documents(
                    (int) Math.max(1, Math.min(LOAD_PART, events - loaded) / BenchWorkload.EVENTS_PER_DOCUMENT));
            BenchWorkload.insertBatched(context.services().dataSource(), "eventstore.events", part);
            loaded += part.size();
            Bench.written(context.written(), part.size());
        }
        context.progress().await("verify load", from, context.written(), Math.max(600, loaded / 500), context.failed());

        context.say().accept("verify under load: " + rate + " events/s for " + duration.toSeconds() + " s, without a verify");
        BenchResults.Latency without = atRate(context, rate, duration, () -> true);

        context.say().accept("verify under load: " + rate + " events/s while bin/pipeline verify " + READ_MODEL + " runs");
        ReadModelVerifier verifier = new ReadModelVerifier(Projections.named(READ_MODEL).orElseThrow(), context.services().dataSource());
        long started = System.nanoTime();
        CompletableFuture<ReadModelVerifier.Report> verify = CompletableFuture.supplyAsync(() -> {
            try {
                return verifier.verify((checked, of) -> { });
            } catch (Exception e) {
                throw new IllegalStateException("verify failed: " + e.getMessage(), e);
            }
        });
        BenchResults.Latency during = atRate(context, rate, duration, verify::isDone);
        ReadModelVerifier.Report report = verify.join();
        double seconds = (System.nanoTime() - started) / 1e9;
        return new BenchResults.VerifyUnderLoad(READ_MODEL, context.written().get(READ_MODEL), report.aggregates(), seconds,
                report.differences().size(), without, during);
    }

    /** Events at the rate for at least {@code duration}, in stretches until {@code done}; their latency. */
    private static BenchResults.Latency atRate(Context context, int rate, Duration duration, BooleanSupplier done) throws Exception {
        Map<String, Long> from = new LinkedHashMap<>(context.written());
        context.latencies().start(Bench.READ_MODELS);
        long events = 0;
        double seconds = 0;
        long until = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < until || !done.getAsBoolean()) {
            List<BenchWorkload.Event> stretch = context.workload().documents(Bench.documents(rate, STRETCH));
            Bench.written(context.written(), stretch.size());
            BenchWorkload.RateRun run = BenchWorkload.insertAtRate(context.services().dataSource(), stretch, rate, context.writers(),
                    context.meter()::sessionCpuSeconds);
            events += stretch.size();
            seconds += run.seconds();
        }
        context.progress().await("verify under load " + rate + "/s", from, context.written(), Bench.timeout(events), context.failed());
        return context.latencies().result(READ_MODEL, rate, events / seconds);
    }
}

package dev.projections.cdcrelay;

import dev.projections.monitoring.Monitoring;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The relays one process runs, one per shard it serves ({@code relay-shard-ids}, every shard by default): each
 * shard streams its own slot on an engine of its own, and takes the slot's lock, or stands by, on its own.
 * With one shard it is the relay as it always was.
 */
public final class RelayShards implements AutoCloseable {

    private final List<CdcRelayApp> relays;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RelayShards(List<CdcRelayApp> relays) {
        this.relays = List.copyOf(relays);
    }

    public static RelayShards start(CdcRelayConfig config, Monitoring monitoring) {
        List<CdcRelayApp> started = new ArrayList<>();
        try {
            for (CdcRelayConfig shard : config.perShard()) {
                started.add(CdcRelayApp.start(shard, monitoring));
            }
            return new RelayShards(started);
        } catch (RuntimeException e) {
            new RelayShards(started).close();
            throw e;
        }
    }

    public List<CdcRelayApp> relays() {
        return relays;
    }

    /** Whether this process streams every shard it serves (another process may hold some of them). */
    public boolean allActive() {
        return relays.stream().allMatch(CdcRelayApp::isActive);
    }

    /** The highest sequence any of its shards had Kafka acknowledge; -1 before the first. */
    public long lastRelayedSequence() {
        return relays.stream().mapToLong(CdcRelayApp::lastRelayedSequence).max().orElse(-1);
    }

    /** Stops every shard's relay side by side, each as {@link CdcRelayApp#close()} does; once. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        List<Thread> closing = relays.stream().map(relay -> new Thread(relay::close, "close-relay-" + relay.slotName())).toList();
        closing.forEach(Thread::start);
        for (Thread thread : closing) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

package dev.projections.pipelinetools.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventwriter.AppendResult;
import dev.projections.eventwriter.EventStore;
import dev.projections.eventwriter.NewEvent;
import dev.projections.eventwriter.VersionConflictException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Writers appending, at a total rate, to a small set of hot aggregates they share, so that they collide
 * (version conflicts) as real ones do. Each aggregate follows a script; its next event is the one after
 * the version the event store holds. While PostgreSQL is down, an append is tried again until it is
 * acknowledged. One event in a thousand is a poison one, committed around the writer's validation.
 */
final class ChaosWriters {

    /** An aggregate's whole history, written one event per append. */
    private record Script(String aggregateType, UUID aggregateId, List<NewEvent> events) {
    }

    private static final int HOT = 12;
    private static final String POISON = "{\"markdownContent\": \"# Broken\", \"sections\": {\"not\": \"a list\"}}";

    private final EventStore store;
    private final DataSource dataSource;
    private final long intervalNanos;
    private final List<Script> hot = new CopyOnWriteArrayList<>();
    private final List<UUID> customers = new CopyOnWriteArrayList<>();
    private final Set<UUID> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicLong conflicts = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong poisons = new AtomicLong();
    private final AtomicLong poisonClaims = new AtomicLong();
    private final AtomicLong nextSlot = new AtomicLong(System.nanoTime());
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    ChaosWriters(EventStore store, DataSource dataSource, int rate) {
        this.store = store;
        this.dataSource = dataSource;
        this.intervalNanos = 1_000_000_000L / rate;
    }

    void start(int writers, long seed) {
        for (int i = 0; i < writers; i++) {
            Random random = new Random(seed + i);
            Thread thread = new Thread(() -> write(random), "chaos-writer-" + i);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
    }

    void stop() throws InterruptedException {
        stopped.set(true);
        for (Thread thread : threads) {
            thread.join(60_000);
        }
    }

    long acknowledgedCount() {
        return acknowledged.size();
    }

    /** A customer registered by now, for a probe's conversation. */
    UUID someCustomer() {
        return customers.isEmpty() ? null : customers.get(0);
    }

    Set<UUID> acknowledged() {
        return acknowledged;
    }

    long conflicts() {
        return conflicts.get();
    }

    long retries() {
        return retries.get();
    }

    long poisons() {
        return poisons.get();
    }

    private void write(Random random) {
        while (!stopped.get()) {
            pace();
            Script script = pick(random);
            try {
                int version = store.currentVersion(script.aggregateId());
                if (version >= script.events().size()) {
                    hot.remove(script);
                    continue;
                }
                NewEvent event = script.events().get(version);
                long claimed = poisonClaims.get();
                if (event.eventType().equals("DocumentConverted") && claimed < acknowledged.size() / 1000
                        && poisonClaims.compareAndSet(claimed, claimed + 1)) {
                    poison(script, version);
                    continue;
                }
                AppendResult result = store.append(script.aggregateType(), script.aggregateId(), version, List.of(event));
                result.events().forEach(appended -> acknowledged.add(appended.eventId()));
                if (script.aggregateType().equals("customer") && version == 0) {
                    customers.add(script.aggregateId());
                }
            } catch (VersionConflictException e) {
                conflicts.incrementAndGet();
            } catch (RuntimeException e) {
                // PostgreSQL restarting: the same event is tried again; one whose commit was cut off is found
                // written by then (and never counted as acknowledged)
                retries.incrementAndGet();
                sleep(200);
            }
        }
    }

    /** Commits a DocumentConverted the projection cannot read, as a buggy producer writing around the writer would. */
    private void poison(Script script, int version) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO eventstore.events (id, aggregate_id, aggregate_type, event_type, event_version, payload)
                VALUES (?, ?, 'document', 'DocumentConverted', ?, ?::jsonb)""")) {
            insert.setObject(1, UUID.randomUUID());
            insert.setObject(2, script.aggregateId());
            insert.setInt(3, version + 1);
            insert.setString(4, POISON);
            insert.executeUpdate();
            poisons.incrementAndGet();
            hot.remove(script);
        } catch (Exception e) {
            retries.incrementAndGet();
        }
    }

    private Script pick(Random random) {
        while (hot.size() < HOT) {
            hot.add(newScript(random));
        }
        Script script = hot.get(random.nextInt(Math.min(HOT, hot.size())));
        return script == null ? newScript(random) : script;
    }

    private Script newScript(Random random) {
        UUID id = UUID.randomUUID();
        List<NewEvent> events = new ArrayList<>();
        int kind = random.nextInt(10);
        if (kind == 0 || customers.isEmpty()) {
            events.add(event("CustomerRegistered", "{\"code\": \"" + id + "\", \"name\": \"Customer " + id.toString().substring(0, 8) + "\"}"));
            events.add(event("CustomerRenamed", "{\"name\": \"Customer " + id.toString().substring(0, 8) + " Ltd\"}"));
            return new Script("customer", id, events);
        }
        UUID customer = customers.get(random.nextInt(customers.size()));
        if (kind == 1) {
            events.add(event("ConversationStarted", "{\"customerId\": \"" + customer + "\", \"userId\": \"alice\", \"title\": \"Pumps\"}"));
            for (int i = 0; i < 1 + random.nextInt(4); i++) {
                events.add(event("MessagePosted", "{\"role\": \"" + (i % 2 == 0 ? "user" : "assistant") + "\", \"content\": \"Message " + i + "\"}"));
            }
            events.add(event("ConversationClosed", "{}"));
            return new Script("conversation", id, events);
        }
        events.add(event("DocumentUploaded", "{\"title\": \"Manual " + id.toString().substring(0, 8) + "\", \"filename\": \"m.pdf\", "
                + "\"contentType\": \"application/pdf\", \"sizeBytes\": " + random.nextInt(100_000) + ", \"uploadedBy\": \"bob\", "
                + "\"customerId\": \"" + customer + "\"}"));
        events.add(event("DocumentConverted", "{\"markdownContent\": \"# Manual\\n\\nIntro\", \"sections\": [{\"heading\": \"Manual\", "
                + "\"level\": 1, \"content\": \"Intro\"}]}"));
        events.add(event("SemanticIrExtracted", "{\"formulas\": [{\"name\": \"flow\", \"expression\": \"q = v * a\", \"variables\": {\"v\": \"m/s\"}}], "
                + "\"definitions\": [{\"term\": \"pump\", \"definition\": \"moves fluid\"}], \"tables\": [], \"crossReferences\": []}"));
        if (random.nextInt(4) == 0) {
            events.add(event("DocumentArchived", "{\"reason\": \"superseded\"}"));
        }
        return new Script("document", id, events);
    }

    private static NewEvent event(String type, String payload) {
        JsonNode tree = EventJson.tree(payload);
        return NewEvent.of(type, tree);
    }

    private void pace() {
        long slot = nextSlot.getAndAdd(intervalNanos);
        long now = System.nanoTime();
        if (slot < now - 1_000_000_000L) {
            // far behind after a fault: no burst to make up for it
            nextSlot.set(now);
        } else if (slot > now) {
            sleep((slot - now) / 1_000_000);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

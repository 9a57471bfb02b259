package dev.projections.pipelinetools.chaos;

import dev.projections.projectorstreams.Projections;
import dev.projections.projectorstreams.operations.ReadModelVerifier;
import dev.projections.projectorstreams.projection.Projection;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * What a chaos run comes to: every read model against what its events make of it, acknowledged writes
 * against the event store, the parked events against the poisoned ones, and the recovery time of each kind
 * of fault.
 */
final class ChaosSummary {

    private final ChaosRun.Options options;
    private final PrintStream out;

    ChaosSummary(ChaosRun.Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** @return 0 when every read model equals its events, nothing acknowledged is lost and exactly the poison events are parked */
    int print(DataSource dataSource, String bootstrapServers, ChaosWriters writers, Map<ChaosRun.Fault, List<Double>> recoveries,
            List<String> unrecovered, double caughtUp, Map<String, Integer> exits) throws Exception {
        Map<String, Integer> kinds = new LinkedHashMap<>();
        Map<String, Integer> checked = new LinkedHashMap<>();
        Set<UUID> parked = new HashSet<>();
        List<String> shown = new ArrayList<>();
        for (Projection projection : Projections.ALL) {
            ReadModelVerifier.Report report = new ReadModelVerifier(projection, dataSource).verify((aggregates, of) -> { });
            checked.put(projection.name(), report.aggregates());
            for (ReadModelVerifier.Difference difference : report.differences()) {
                if (difference.kind().equals("parked") && projection.name().equals("document")) {
                    parked.add(UUID.fromString(difference.subject()));
                } else {
                    kinds.merge(difference.kind(), 1, Integer::sum);
                    if (shown.size() < 20) {
                        shown.add(difference.toString());
                    }
                }
            }
        }
        Set<UUID> poisoned = ids(dataSource, """
                SELECT aggregate_id FROM eventstore.events
                 WHERE event_type = 'DocumentConverted' AND jsonb_typeof(payload -> 'sections') <> 'array'""");
        Set<UUID> stored = ids(dataSource, "SELECT id FROM eventstore.events");
        long lost = writers.acknowledged().stream().filter(id -> !stored.contains(id)).count();
        long parkedEvents = count(dataSource, "SELECT count(*) FROM readmodel.parked_events");
        long parkedElsewhere = count(dataSource, "SELECT count(*) FROM readmodel.parked_events WHERE projection <> 'document'");
        long events = count(dataSource, "SELECT count(*) FROM eventstore.events");

        out.println();
        out.println("chaos summary");
        out.printf("  events: %,d in eventstore.events; %,d acknowledged to %d writers on hot aggregates (%,d version conflicts, "
                + "%,d tries again while PostgreSQL was away); %,d poison events%n", events, writers.acknowledgedCount(), options.writers(),
                writers.conflicts(), writers.retries(), poisoned.size());
        int faults = recoveries.values().stream().mapToInt(List::size).sum() + unrecovered.size();
        out.printf("  faults: %d (projectors' session.timeout.ms %s%s; %s)%n", faults,
                options.sessionTimeout() == null ? "10 s, their default" : options.sessionTimeout().toSeconds() + " s",
                options.instanceIds() ? ", each with a projector-instance-id (static membership)" : "",
                options.relayShards() == 1 ? "2 relays on one slot" : "2 relay processes, each running all " + options.relayShards()
                        + " shards: 2 relays per shard");
        for (Map.Entry<ChaosRun.Fault, List<Double>> entry : recoveries.entrySet()) {
            List<Double> seconds = new ArrayList<>(entry.getValue());
            seconds.sort(Double::compare);
            out.printf("    %-28s %3d, events flowing again after p50 %5.1f s, max %5.1f s%n", entry.getKey().label, seconds.size(),
                    seconds.isEmpty() ? 0 : seconds.get(seconds.size() / 2), seconds.isEmpty() ? 0 : seconds.get(seconds.size() - 1));
        }
        unrecovered.forEach(fault -> out.println("    NOT RECOVERED: " + fault));
        out.printf("  processes that exited by themselves: %s%n", exits.isEmpty() ? "0" : exits);
        out.printf("  caught up %.1f s after the writers stopped%n", caughtUp);
        out.printf("  acknowledged writes missing from eventstore.events: %d%n", lost);
        out.printf("  read models against eventstore.events (%s aggregates checked): lost rows %d, doubled rows %d, differing rows %d%n",
                checked, kinds.getOrDefault("missing", 0), kinds.getOrDefault("extra", 0) + kinds.getOrDefault("rows", 0),
                kinds.getOrDefault("differs", 0) + kinds.getOrDefault("unappliable", 0) + kinds.getOrDefault("dangling reference", 0));
        shown.forEach(line -> out.println("    " + line));
        TopicOrder topics = TopicOrder.check(bootstrapServers, lastVersions(dataSource));
        out.println("  topics: " + topics.describe());
        boolean exactlyPoisoned = parked.equals(poisoned) && parkedElsewhere == 0;
        out.printf("  parked: %d events of %d aggregates, %s%n", parkedEvents, parked.size(),
                exactlyPoisoned ? "exactly the poisoned ones" : "NOT the poisoned ones (" + poisoned.size() + " poisoned)");
        boolean clean = lost == 0 && kinds.isEmpty() && exactlyPoisoned && unrecovered.isEmpty() && exits.isEmpty()
                && topics.outOfOrder().isEmpty() && topics.missing().isEmpty();
        out.println(clean ? "chaos: every read model equals the events; nothing lost" : "chaos: FAILED");
        return clean ? 0 : 1;
    }

    private static Set<UUID> ids(DataSource dataSource, String sql) throws SQLException {
        Set<UUID> ids = new HashSet<>();
        try (Connection connection = dataSource.getConnection(); ResultSet rows = connection.createStatement().executeQuery(sql)) {
            while (rows.next()) {
                ids.add(rows.getObject(1, UUID.class));
            }
        }
        return ids;
    }

    private static Map<UUID, Integer> lastVersions(DataSource dataSource) throws SQLException {
        Map<UUID, Integer> versions = new HashMap<>();
        try (Connection connection = dataSource.getConnection(); ResultSet rows = connection.createStatement().executeQuery(
                "SELECT aggregate_id, max(event_version) FROM eventstore.events GROUP BY aggregate_id")) {
            while (rows.next()) {
                versions.put(rows.getObject(1, UUID.class), rows.getInt(2));
            }
        }
        return versions;
    }

    private static long count(DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); ResultSet rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}

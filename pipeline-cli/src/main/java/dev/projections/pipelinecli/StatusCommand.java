package dev.projections.pipelinecli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.projections.cdcrelay.CdcRelayConfig;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.projectorstreams.Projections;
import dev.projections.projectorstreams.ProjectorConfig;
import dev.projections.projectorstreams.ShadowProjection;
import dev.projections.projectorstreams.operations.ProjectorGroup;
import dev.projections.projectorstreams.projection.Projection;
import dev.projections.settings.Settings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"The relay (active, last relayed sequence, slot lag) and each projector (members, lag per partition, parked events).",
            "Exits 1 when something needs an operator (no relay streaming, a read model with no running projector, parked events),"
                + " listing it; 0 otherwise."})
final class StatusCommand implements Callable<Integer> {

    @Mixin
    SettingOptions options;

    @Option(names = "--json", description = "One JSON document, for scripts")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Settings settings = Settings.fromEnvironment(options.flags());
        CdcRelayConfig relay = CdcRelayConfig.from(settings, System.getenv());
        settings.validate();

        ObjectNode status = EventJson.MAPPER.createObjectNode();
        ObjectNode relayNode = status.putObject("relay").put("shards", relay.shards());
        Map<String, long[]> parked = new HashMap<>();
        Map<String, Integer> versions = new HashMap<>();
        try (Connection connection = relay.database().connect()) {
            relaySlots(connection, relay, relayNode);
            try (PreparedStatement counts = connection.prepareStatement(
                    "SELECT projection, count(DISTINCT aggregate_id), count(*) FROM readmodel.parked_events GROUP BY projection");
                    ResultSet rows = counts.executeQuery()) {
                while (rows.next()) {
                    parked.put(rows.getString(1), new long[] {rows.getLong(2), rows.getLong(3)});
                }
            }
            try (PreparedStatement registered = connection.prepareStatement("SELECT name, version FROM readmodel.read_models");
                    ResultSet rows = registered.executeQuery()) {
                while (rows.next()) {
                    versions.put(rows.getString(1), rows.getInt(2));
                }
            }
        }
        long lastRelayed = -1;
        ArrayNode projectors = status.putArray("projectors");
        for (Projection projection : Projections.ALL) {
            ProjectorConfig config = new ProjectorConfig(projection, relay.database(), relay.kafka(),
                    settings.string(ProjectorConfig.APPLICATION_ID_PREFIX, "pipeline-projector-"), 1, null, null, null);
            try (ProjectorGroup group = new ProjectorGroup(config)) {
                long[] parkedCounts = parked.getOrDefault(projection.name(), new long[2]);
                ObjectNode node = projectors.addObject().put("readModel", projection.name()).put("group", group.groupId())
                        .put("parkedAggregates", parkedCounts[0]).put("parkedEvents", parkedCounts[1]);
                node.put("version", versions.get(projection.name()));
                shadowBuild(config, node);
                try {
                    node.put("state", group.state());
                    ArrayNode members = node.putArray("members");
                    group.members().forEach(member -> members.addObject().put("clientId", member.clientId()).put("host", member.host())
                            .put("partitions", member.partitions().size()));
                    long lagEvents = 0;
                    long lagMillis = 0;
                    ArrayNode partitions = node.putArray("partitions");
                    for (ProjectorGroup.PartitionLag lag : group.lag()) {
                        partitions.addObject().put("topic", lag.partition().topic()).put("partition", lag.partition().partition())
                                .put("committed", lag.committed()).put("end", lag.end()).put("lagEvents", lag.events())
                                .put("lagMillis", lag.millis());
                        lagEvents += lag.events();
                        lagMillis = Math.max(lagMillis, lag.millis());
                    }
                    node.put("lagEvents", lagEvents).put("lagMillis", lagMillis);
                    lastRelayed = Math.max(lastRelayed, group.lastPublishedSequence());
                } catch (IllegalStateException e) {
                    node.put("error", e.getMessage());
                }
            }
        }
        relayNode.put("lastRelayedSequence", lastRelayed);
        List<String> found = problems(status);
        ArrayNode problems = status.putArray("problems");
        found.forEach(problems::add);
        if (json) {
            System.out.println(EventJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(status));
        } else {
            print(status);
            System.out.println();
            System.out.println(found.isEmpty() ? "status: the relay is active and every read model has a running projector"
                    : "status: " + found.size() + " problem(s): " + String.join("; ", found));
        }
        return found.isEmpty() ? 0 : 1;
    }

    /**
     * Each slot of the relay's layout: whether it exists, whether a relay streams from it (its walsender's pid and
     * client) and how much WAL it holds back; and any slot of another layout, which a resharding leaves until its
     * finish.
     */
    private static void relaySlots(Connection connection, CdcRelayConfig relay, ObjectNode relayNode) throws SQLException {
        List<String> layout = relay.slotNames();
        Map<String, ObjectNode> found = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement("""
                SELECT s.slot_name, s.active, s.active_pid, coalesce(host(a.client_addr), 'local'),
                       pg_wal_lsn_diff(pg_current_wal_lsn(), s.confirmed_flush_lsn)::bigint
                  FROM pg_replication_slots s LEFT JOIN pg_stat_activity a ON a.pid = s.active_pid
                 WHERE s.slot_name = ? OR s.slot_name ~ ('^' || ? || '_[0-9]_[0-9]$')
                 ORDER BY s.slot_name""")) {
            statement.setString(1, relay.slotBase());
            statement.setString(2, relay.slotBase());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    ObjectNode slot = EventJson.MAPPER.createObjectNode().put("slot", rows.getString(1)).put("exists", true)
                            .put("active", rows.getBoolean(2));
                    slot.put("activePid", rows.getObject(3) == null ? null : rows.getInt(3));
                    slot.put("client", rows.getObject(3) == null ? null : rows.getString(4));
                    slot.put("lagBytes", rows.getObject(5) == null ? null : rows.getLong(5));
                    found.put(rows.getString(1), slot);
                }
            }
        }
        try (PreparedStatement statement = connection.prepareStatement("SELECT coalesce(max(sequence), 0) FROM eventstore.events");
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            relayNode.put("eventStoreLastSequence", rows.getLong(1));
        }
        ArrayNode slots = relayNode.putArray("slots");
        for (String name : layout) {
            slots.add(found.containsKey(name) ? found.remove(name) : EventJson.MAPPER.createObjectNode().put("slot", name).put("exists", false)
                    .put("active", false));
        }
        relayNode.put("slotExists", stream(slots).allMatch(slot -> slot.get("exists").asBoolean()));
        relayNode.put("active", stream(slots).allMatch(slot -> slot.get("active").asBoolean()));
        relayNode.put("slotLagBytes", stream(slots).filter(slot -> slot.hasNonNull("lagBytes")).mapToLong(slot -> slot.get("lagBytes").asLong())
                .max().orElse(0));
        if (relay.shards() == 1) {
            relayNode.put("slot", relay.slotName());
            relayNode.set("activePid", slots.get(0).get("activePid"));
        }
        relayNode.putArray("otherSlots").addAll(found.values());
    }

    private static void printSlot(JsonNode slot, String layout, String sequences) {
        String state = !slot.get("exists").asBoolean() ? "no slot yet" : slot.get("active").asBoolean()
                ? "active (pid " + slot.get("activePid").asInt() + ", " + slot.get("client").asText() + ")" : "INACTIVE";
        System.out.printf("RELAY slot %s%s: %s; %sslot lag %s%n", slot.get("slot").asText(), layout, state, sequences,
                slot.hasNonNull("lagBytes") ? slot.get("lagBytes").asLong() + " bytes" : "-");
    }

    private static Stream<JsonNode> stream(ArrayNode nodes) {
        return StreamSupport.stream(nodes.spliterator(), false);
    }

    /** A shadow build of the read model that runs now (replay --shadow): its group, members and lag. */
    private static void shadowBuild(ProjectorConfig live, ObjectNode node) {
        ProjectorConfig shadow = live.withProjection(new ShadowProjection(live.projection()));
        try (ProjectorGroup group = new ProjectorGroup(shadow)) {
            if (!group.members().isEmpty()) {
                node.putObject("shadowBuild").put("group", group.groupId()).put("members", group.members().size())
                        .put("lagEvents", group.lag().stream().mapToLong(ProjectorGroup.PartitionLag::events).sum());
            }
        } catch (IllegalStateException e) {
            node.putObject("shadowBuild").put("error", e.getMessage());
        }
    }

    /** What needs an operator: a relay that is not streaming, a read model no projector runs, parked events. */
    private static List<String> problems(ObjectNode status) {
        List<String> problems = new ArrayList<>();
        JsonNode relay = status.get("relay");
        for (JsonNode slot : relay.get("slots")) {
            if (!slot.get("exists").asBoolean()) {
                problems.add("no relay has created slot " + slot.get("slot").asText() + " yet");
            } else if (!slot.get("active").asBoolean()) {
                problems.add("no relay is streaming from slot " + slot.get("slot").asText());
            }
        }
        for (JsonNode slot : relay.get("otherSlots")) {
            if (!slot.get("active").asBoolean()) {
                problems.add("slot " + slot.get("slot").asText() + " of another shard layout holds WAL back: finish the resharding"
                        + " (bin/pipeline reshard finish) or drop it");
            }
        }
        for (JsonNode projector : status.get("projectors")) {
            String readModel = projector.get("readModel").asText();
            if (projector.has("error")) {
                problems.add(readModel + ": " + projector.get("error").asText());
            } else if (projector.get("members").isEmpty()) {
                problems.add(readModel + ": no projector instance is running");
            }
            if (projector.get("parkedEvents").asLong() > 0) {
                problems.add(readModel + ": " + projector.get("parkedEvents").asLong() + " parked event(s)");
            }
        }
        return problems;
    }

    private static void print(ObjectNode status) {
        ObjectNode relay = (ObjectNode) status.get("relay");
        String sequences = "last relayed sequence " + relay.get("lastRelayedSequence").asLong() + " of "
                + relay.get("eventStoreLastSequence").asLong() + " in the event store";
        boolean oneShard = relay.get("shards").asInt() == 1;
        relay.get("slots").forEach(slot -> printSlot(slot, "", oneShard ? sequences + "; " : ""));
        relay.get("otherSlots").forEach(slot -> printSlot(slot, " (another shard layout)", ""));
        if (relay.get("shards").asInt() > 1) {
            System.out.println("RELAY " + relay.get("shards").asInt() + " shards: " + sequences);
        }
        System.out.println();
        System.out.printf("%-14s %-34s %-12s %7s %12s %14s %s%n", "PROJECTOR", "GROUP", "STATE", "MEMBERS", "LAG EVENTS", "OLDEST WAITING",
                "PARKED (bin/pipeline parked list)");
        for (var node : status.get("projectors")) {
            if (node.has("error")) {
                System.out.printf("%-14s %-34s %s%n", node.get("readModel").asText(), node.get("group").asText(), node.get("error").asText());
                continue;
            }
            System.out.printf("%-14s %-34s %-12s %7d %12d %14s %s%n", node.get("readModel").asText(), node.get("group").asText(),
                    node.get("state").asText(), node.get("members").size(), node.get("lagEvents").asLong(),
                    node.get("lagEvents").asLong() == 0 ? "-" : node.get("lagMillis").asLong() + " ms",
                    node.get("parkedEvents").asLong() == 0 ? "-" : node.get("parkedEvents").asLong() + " events of "
                            + node.get("parkedAggregates").asLong() + " aggregates");
            if (node.has("shadowBuild")) {
                JsonNode shadow = node.get("shadowBuild");
                System.out.println(shadow.has("error") ? "    shadow build: " + shadow.get("error").asText()
                        : "    shadow build (replay --shadow) running: group " + shadow.get("group").asText() + ", " + shadow.get("lagEvents").asLong()
                                + " events to go");
            }
            for (var partition : node.get("partitions")) {
                if (partition.get("lagEvents").asLong() > 0) {
                    System.out.printf("    %s-%d: committed %s, end %d, lag %d events, oldest %d ms%n", partition.get("topic").asText(),
                            partition.get("partition").asInt(), partition.get("committed").isNull() ? "none" : partition.get("committed").asText(),
                            partition.get("end").asLong(), partition.get("lagEvents").asLong(), partition.get("lagMillis").asLong());
                }
            }
        }
    }
}

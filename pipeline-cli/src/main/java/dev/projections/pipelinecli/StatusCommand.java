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
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
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
        ObjectNode relayNode = status.putObject("relay").put("slot", relay.slotName());
        Map<String, long[]> parked = new HashMap<>();
        Map<String, Integer> versions = new HashMap<>();
        try (Connection connection = DriverManager.getConnection(relay.database().jdbcUrl(), relay.database().parsedUrl());
                PreparedStatement statement = connection.prepareStatement("""
                        SELECT s.active, s.active_pid, pg_wal_lsn_diff(pg_current_wal_lsn(), s.confirmed_flush_lsn)::bigint,
                               (SELECT coalesce(max(sequence), 0) FROM eventstore.events)
                          FROM (SELECT 1) one LEFT JOIN pg_replication_slots s ON s.slot_name = ?""")) {
            statement.setString(1, relay.slotName());
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                relayNode.put("slotExists", rows.getObject(1) != null);
                relayNode.put("active", rows.getBoolean(1));
                relayNode.put("activePid", rows.getObject(2) == null ? null : rows.getInt(2));
                relayNode.put("slotLagBytes", rows.getObject(3) == null ? null : rows.getLong(3));
                relayNode.put("eventStoreLastSequence", rows.getLong(4));
            }
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
        if (!relay.get("slotExists").asBoolean()) {
            problems.add("no relay has created slot " + relay.get("slot").asText() + " yet");
        } else if (!relay.get("active").asBoolean()) {
            problems.add("no relay is streaming from slot " + relay.get("slot").asText());
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
        System.out.printf("RELAY slot %s: %s; last relayed sequence %d of %d in the event store; slot lag %s%n",
                relay.get("slot").asText(),
                !relay.get("slotExists").asBoolean() ? "no slot yet" : relay.get("active").asBoolean() ? "active (pid " + relay.get("activePid").asInt() + ")" : "INACTIVE",
                relay.get("lastRelayedSequence").asLong(), relay.get("eventStoreLastSequence").asLong(),
                relay.get("slotLagBytes").isNull() ? "-" : relay.get("slotLagBytes").asLong() + " bytes");
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

package dev.projections.cdcrelay;

import dev.projections.settings.Retry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Moves the relay from one count of shards to another while events are written, losing none and keeping each
 * aggregate's events in order. {@link #prepare} makes the new layout's slots; every transaction that commits
 * after a slot's consistent point is in that slot, and it waits until the running layout has published
 * everything that committed before the last of those points. Then the old relays stop and the new ones start:
 * each new shard streams from its slot without a snapshot, repeating in order, at most, the few events the old
 * layout published after the point, as a relay's restart does. {@link #finish} drops the old layout's slots
 * once the new layout streams.
 */
public final class Resharding {

    /** What {@link #prepare} made and waited for. */
    public record Prepared(Map<String, String> slots, String point) {
    }

    private final CdcRelayConfig config;
    private final Consumer<String> progress;

    /** @param config the relay's settings, whose slot name is the base of every layout's slots */
    public Resharding(CdcRelayConfig config, Consumer<String> progress) {
        this.config = config;
        this.progress = progress;
    }

    /**
     * Makes the slots of the layout of {@code to} shards (those already made are kept), then waits until every
     * slot of the running layout of {@code from} has confirmed the WAL up to the last of the new slots' points.
     *
     * @throws IllegalStateException naming what is wrong: a slot of {@code from} missing, or not confirmed in time
     */
    public Prepared prepare(int from, int to, Duration patience) throws SQLException, InterruptedException {
        check(from, to);
        try (Connection connection = config.database().connect()) {
            for (String slot : slots(from)) {
                if (lsnOf(connection, slot) == null) {
                    throw new IllegalStateException("the running layout of " + from + " shard(s) has no slot " + slot
                            + ": is --from the relays' relay-shards?");
                }
            }
            Map<String, String> made = new LinkedHashMap<>();
            for (String slot : slots(to)) {
                String point = lsnOf(connection, slot);
                if (point == null) {
                    point = makeSlot(connection, slot);
                    progress.accept("made slot " + slot + " at " + point);
                } else {
                    progress.accept("slot " + slot + " is there already, at " + point);
                }
                made.put(slot, point);
            }
            String last = lastOf(connection, made.values());
            for (String slot : slots(from)) {
                progress.accept("waiting until the relay of slot " + slot + " has published everything before " + last);
                boolean confirmed = Retry.until(patience, Duration.ofMillis(250), () -> confirmedPast(connection, slot, last));
                if (!confirmed) {
                    throw new IllegalStateException("the relay of slot " + slot + " did not confirm " + last + " within " + patience.toSeconds()
                            + " s: is it running? (bin/pipeline status)");
                }
            }
            return new Prepared(made, last);
        }
    }

    /**
     * Drops the slots of the layout of {@code from} shards, once every slot of {@code to} has a relay streaming
     * from it and none of {@code from} has.
     */
    public List<String> finish(int from, int to) throws SQLException {
        check(from, to);
        List<String> dropped = new ArrayList<>();
        try (Connection connection = config.database().connect()) {
            for (String slot : slots(to)) {
                if (!Boolean.TRUE.equals(active(connection, slot))) {
                    throw new IllegalStateException("no relay streams from slot " + slot + " of the new layout yet: start the relays with "
                            + "relay-shards " + to + " first; nothing was dropped");
                }
            }
            for (String slot : slots(from)) {
                if (Boolean.TRUE.equals(active(connection, slot))) {
                    throw new IllegalStateException("a relay still streams from slot " + slot + " of the old layout: stop the relays of "
                            + "relay-shards " + from + " first; nothing was dropped");
                }
            }
            for (String slot : slots(from)) {
                if (active(connection, slot) != null) {
                    dropSlot(connection, slot);
                    dropped.add(slot);
                    progress.accept("dropped slot " + slot);
                }
            }
        }
        return dropped;
    }

    /**
     * Makes a slot that a relay streams from without a snapshot (listed in {@code eventstore.relay_prepared_slots}):
     * its caller has seen to it that every event committed before its point is published.
     *
     * @return the slot's point: every transaction committed after it is in the slot
     */
    public static String makeSlot(Connection connection, String slot) throws SQLException {
        String point;
        try (PreparedStatement create = connection.prepareStatement("SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')")) {
            create.setString(1, slot);
            try (ResultSet rows = create.executeQuery()) {
                rows.next();
                point = rows.getString(1);
            }
        }
        // after the slot: a crash in between leaves a slot without its mark, whose relay then takes a snapshot,
        // publishing again rather than skipping
        try (PreparedStatement mark = connection.prepareStatement("INSERT INTO eventstore.relay_prepared_slots (slot_name, point)"
                + " VALUES (?, ?::pg_lsn) ON CONFLICT (slot_name) DO UPDATE SET point = EXCLUDED.point")) {
            mark.setString(1, slot);
            mark.setString(2, point);
            mark.execute();
        }
        return point;
    }

    /** Drops a slot and its mark. */
    public static void dropSlot(Connection connection, String slot) throws SQLException {
        try (PreparedStatement drop = connection.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
            drop.setString(1, slot);
            drop.execute();
        }
        try (PreparedStatement unmark = connection.prepareStatement("DELETE FROM eventstore.relay_prepared_slots WHERE slot_name = ?")) {
            unmark.setString(1, slot);
            unmark.execute();
        }
    }

    /** The slots of a layout of {@code shards}. */
    private List<String> slots(int shards) {
        return config.withShards(shards).slotNames();
    }

    private static void check(int from, int to) {
        if (!CdcRelayConfig.SHARD_COUNTS.contains(from) || !CdcRelayConfig.SHARD_COUNTS.contains(to)) {
            throw new IllegalArgumentException("shard counts are 1, 2, 4 or 8, not " + from + " and " + to);
        }
        if (from == to) {
            throw new IllegalArgumentException("the relay runs " + from + " shard(s) already");
        }
    }

    /** The slot's confirmed position, or null when it does not exist. */
    private static String lsnOf(Connection connection, String slot) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT coalesce(confirmed_flush_lsn, restart_lsn)::text FROM pg_replication_slots WHERE slot_name = ?")) {
            statement.setString(1, slot);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    private static Boolean active(Connection connection, String slot) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
            statement.setString(1, slot);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getBoolean(1) : null;
            }
        }
    }

    private static String lastOf(Connection connection, Iterable<String> points) throws SQLException {
        String last = "0/0";
        for (String point : points) {
            try (PreparedStatement statement = connection.prepareStatement("SELECT greatest(?::pg_lsn, ?::pg_lsn)::text")) {
                statement.setString(1, last);
                statement.setString(2, point);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    last = rows.getString(1);
                }
            }
        }
        return last;
    }

    private static boolean confirmedPast(Connection connection, String slot, String point) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT confirmed_flush_lsn >= ?::pg_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
            statement.setString(1, point);
            statement.setString(2, slot);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() && rows.getBoolean(1);
            }
        }
    }
}

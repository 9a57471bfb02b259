package dev.projections.eventwriter;

import dev.failsafe.RetryPolicy;
import dev.projections.settings.Retry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Read-your-writes: how far each read model has applied an aggregate, and a wait until it has applied an
 * append. A read model is known here once its projector has started on this database
 * ({@code readmodel.read_models}); its position for an aggregate is the last version it applied.
 */
public final class ReadModelPositions {

    /** How far one read model has applied one aggregate: version 0 when it has applied none of its events yet. */
    public record Applied(String readModel, int version, long sequence, boolean parked) {

        /** Whether it has applied the aggregate up to {@code version}. */
        public boolean reached(int target) {
            return version >= target;
        }
    }

    /**
     * What a wait saw last. {@code applied}: every read model waited for reached the version; otherwise the
     * timeout passed, or one of them parked the aggregate (it will not apply it until an operator acts).
     */
    public record Waited(boolean applied, List<Applied> positions, Duration took) {
    }

    private static final Duration FIRST_PAUSE = Duration.ofMillis(2);
    private static final Duration LONGEST_PAUSE = Duration.ofMillis(50);
    private static final String POSITIONS = """
            SELECT m.name, coalesce(p.version, 0), coalesce(p.sequence, 0),
                   EXISTS (SELECT FROM readmodel.parked_events e WHERE e.projection = m.name AND e.aggregate_id = ?)
              FROM readmodel.read_models m
              LEFT JOIN readmodel.projection_positions p ON p.projection = m.name AND p.aggregate_id = ?
             WHERE ? = ANY (m.aggregate_types)
             ORDER BY m.name
            """;

    private static final String READ_MODELS = "SELECT name FROM readmodel.read_models WHERE ? = ANY (aggregate_types) ORDER BY name";

    private final DataSource dataSource;

    public ReadModelPositions(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Each read model that reads aggregates of this type, with how far it has applied this one, by name. */
    public List<Applied> of(String aggregateType, UUID aggregateId) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(POSITIONS)) {
            query.setObject(1, aggregateId);
            query.setObject(2, aggregateId);
            query.setString(3, aggregateType);
            List<Applied> positions = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    positions.add(new Applied(rows.getString(1), rows.getInt(2), rows.getLong(3), rows.getBoolean(4)));
                }
            }
            return positions;
        } catch (SQLException e) {
            throw new EventStoreException("reading the read models' positions of " + aggregateType + " " + aggregateId + " failed: "
                    + e.getMessage(), e);
        }
    }

    /** The read models that read aggregates of this type, by name. */
    public List<String> readModels(String aggregateType) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(READ_MODELS)) {
            query.setString(1, aggregateType);
            List<String> names = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
            return names;
        } catch (SQLException e) {
            throw new EventStoreException("reading the read models of " + aggregateType + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Waits until each read model named has applied the aggregate up to {@code version}, one of them has
     * parked it, or the timeout has passed, whichever comes first; asks the database every few milliseconds.
     *
     * @param readModels names among {@link #readModels(String)}; a name not among them is never reached
     */
    public Waited await(String aggregateType, UUID aggregateId, int version, Collection<String> readModels, Duration timeout)
            throws InterruptedException {
        long started = System.nanoTime();
        Retry.Work<Waited, RuntimeException> look = () -> {
            List<Applied> waitedFor = of(aggregateType, aggregateId).stream().filter(p -> readModels.contains(p.readModel())).toList();
            boolean applied = waitedFor.size() == readModels.size() && waitedFor.stream().allMatch(p -> p.reached(version));
            return new Waited(applied, waitedFor, Duration.ofNanos(System.nanoTime() - started));
        };
        if (timeout.compareTo(FIRST_PAUSE) <= 0) {
            // no time to wait: one look
            return look.get();
        }
        RetryPolicy<Waited> untilDone = RetryPolicy.<Waited>builder().withBackoff(FIRST_PAUSE, LONGEST_PAUSE).withMaxRetries(-1)
                .withMaxDuration(timeout).handleResultIf(waited -> !waited.applied() && !parked(waited, version)).build();
        return Retry.get(untilDone, look);
    }

    /** One of the read models has parked the aggregate before the version: it will not apply it until an operator acts. */
    private static boolean parked(Waited waited, int version) {
        return waited.positions().stream().anyMatch(p -> p.parked() && !p.reached(version));
    }
}

package dev.projections.projectorstreams.write;

import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.projectorstreams.projection.Projection;
import dev.projections.settings.SqlFailures;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One batch of deliveries applied to a read model in the caller's transaction: its aggregates' positions
 * locked, each event applied or not, the refused ones parked, and the positions advanced, together.
 *
 * <p>Each event is compared with its aggregate's position: one at or below it is a duplicate and changes
 * nothing; the version right after it is applied and advances it; one further ahead is held back
 * ({@link Outcome#VERSION_GAP}), so no event of an aggregate is ever skipped. The events' statements (or,
 * where the projection can {@linkplain Projection#fold fold} an aggregate's events, fewer) run as a few JDBC
 * batches ({@link StatementWaves}). An event whose payload the projection cannot apply, or whose
 * statements the database refuses for their data, is parked with every later event of its aggregate
 * ({@link Parking}); when the database refuses the batch as a whole, it is applied again event by event,
 * each under a savepoint, to find the refused ones.
 */
public final class BatchTransaction {

    private static final Logger LOG = LoggerFactory.getLogger(BatchTransaction.class);

    /** Each delivery's outcome, in order, the aggregates the batch parked, and those it found released by an operator. */
    public record Result(List<Outcome> outcomes, Set<UUID> parked, Set<UUID> released) {

        static final Result NOTHING = new Result(List.of(), Set.of(), Set.of());
    }

    private final Projection projection;
    private final Parking parking;
    private final DiscardedEvents.Cached discarded;

    /** @param discardsOf the read model whose discarded events it skips: the live one, for a shadow build */
    public BatchTransaction(Projection projection, String discardsOf) {
        this.projection = projection;
        this.parking = new Parking(projection.name());
        this.discarded = new DiscardedEvents.Cached(discardsOf);
    }

    public Projection projection() {
        return projection;
    }

    Parking parking() {
        return parking;
    }

    /**
     * Applies the deliveries in the caller's transaction, which it may roll back and fill again; the caller
     * commits.
     *
     * @param parkedBefore aggregates with parked events, whose later events are parked behind them
     * @throws SQLException the database could not be used and the transaction is lost; a transient state
     *         (40001 among them, when another writer created a new aggregate's position meanwhile) when
     *         applying the batch again in a new transaction may succeed
     */
    public Result apply(Connection connection, List<Delivery> deliveries, Set<UUID> parkedBefore) throws SQLException {
        try {
            return apply(connection, deliveries, parkedBefore, false);
        } catch (SQLException e) {
            if (!SqlFailures.isCausedByData(e)) {
                throw e;
            }
            LOG.warn("{}: a batch of {} events was refused ({}: {}); applying them one by one to park the refused ones",
                    projection.name(), deliveries.size(), e.getSQLState(), e.getMessage());
            connection.rollback();
            return apply(connection, deliveries, parkedBefore, true);
        }
    }

    private Result apply(Connection connection, List<Delivery> deliveries, Set<UUID> parkedBefore, boolean eventByEvent) throws SQLException {
        Set<UUID> aggregates = new HashSet<>();
        for (Delivery delivery : deliveries) {
            if (delivery.event() != null) {
                aggregates.add(delivery.aggregateId());
            }
        }
        Positions positions = Positions.lock(connection, projection.name(), aggregates,
                aggregates.stream().anyMatch(parkedBefore::contains));
        Set<UUID> released = new HashSet<>();
        Set<UUID> stillParked = parking.stillParked(connection, positions.aggregates(), parkedBefore, released);
        Set<UUID> parked = new HashSet<>();
        List<Parking.Park> parks = new ArrayList<>();
        Map<UUID, Gap> gaps = new LinkedHashMap<>();
        Map<UUID, Fold> folds = new LinkedHashMap<>();
        List<Outcome> outcomes = new ArrayList<>(deliveries.size());
        for (Delivery delivery : deliveries) {
            EventEnvelope event = delivery.event();
            if (event == null) {
                if (delivery.aggregateId() != null) {
                    parked.add(delivery.aggregateId());
                }
                parks.add(new Parking.Park(delivery, "not an event envelope: " + delivery.unreadable()));
                outcomes.add(Outcome.PARKED);
                continue;
            }
            UUID aggregate = event.aggregateId();
            int position = positions.version(aggregate);
            if (event.eventVersion() <= position) {
                outcomes.add(Outcome.ALREADY_APPLIED);
                continue;
            }
            String refusal = stillParked.contains(aggregate) || parked.contains(aggregate)
                    ? "an earlier event of aggregate " + aggregate + " is parked" : null;
            if (refusal == null && event.eventVersion() > position + 1) {
                gaps.putIfAbsent(aggregate, new Gap(delivery, position));
                outcomes.add(Outcome.VERSION_GAP);
                continue;
            }
            if (refusal == null && discarded.of(connection).contains(aggregate, event.sequence())) {
                positions.advance(aggregate, event.eventVersion(), event.sequence());
                outcomes.add(Outcome.DISCARDED);
                continue;
            }
            StatementWaves.EventStatements statements = new StatementWaves.EventStatements();
            if (refusal == null) {
                refusal = statementsOf(event, statements);
            }
            if (refusal == null && eventByEvent) {
                refusal = executeAlone(connection, statements);
            }
            if (refusal != null) {
                parked.add(aggregate);
                parks.add(new Parking.Park(delivery, refusal));
                outcomes.add(Outcome.PARKED);
                continue;
            }
            if (!eventByEvent) {
                folds.computeIfAbsent(aggregate, key -> new Fold(projection)).add(event, statements);
            }
            positions.advance(aggregate, event.eventVersion(), event.sequence());
            outcomes.add(Outcome.APPLIED);
        }
        StatementWaves waves = new StatementWaves();
        folds.forEach((aggregate, fold) -> fold.into(waves, aggregate));
        waves.execute(connection);
        positions.write(connection);
        parking.park(connection, parks);
        if (!eventByEvent) {
            // a batch applied again event by event meets the same gaps: they are logged the first time only
            gaps.values().forEach(this::logGap);
        }
        if (LOG.isDebugEnabled()) {
            for (int i = 0; i < deliveries.size(); i++) {
                logOutcome(deliveries.get(i).event(), outcomes.get(i));
            }
        }
        return new Result(outcomes, parked, released);
    }

    /** @return null when the projection gave the event's statements, else why it could not */
    private String statementsOf(EventEnvelope event, StatementWaves.EventStatements statements) {
        try {
            projection.apply(event, statements);
            return null;
        } catch (RuntimeException e) {
            // a payload the projection cannot read, or a projection that did not expect it
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /** @return null when the statements ran, else why the database refused them (rolled back alone) */
    private static String executeAlone(Connection connection, StatementWaves.EventStatements statements) throws SQLException {
        SQLException refused = StatementWaves.refusedAlone(connection, List.of(statements));
        return refused == null ? null : refused.getSQLState() + ": " + refused.getMessage();
    }

    /** A delivery further ahead than the version after its aggregate's position. */
    private record Gap(Delivery delivery, int position) {
    }

    /** The events of one aggregate a batch applies and their statements, until the projection may fold them. */
    private static final class Fold {
        private final Projection projection;
        private final List<EventEnvelope> events = new ArrayList<>(4);
        private final List<StatementWaves.EventStatements> statements = new ArrayList<>(4);

        Fold(Projection projection) {
            this.projection = projection;
        }

        void add(EventEnvelope event, StatementWaves.EventStatements eventStatements) {
            events.add(event);
            statements.add(eventStatements);
        }

        void into(StatementWaves waves, UUID aggregate) {
            if (events.size() > 1) {
                StatementWaves.EventStatements folded = new StatementWaves.EventStatements();
                try {
                    if (projection.fold(events, folded)) {
                        waves.add(aggregate, folded);
                        return;
                    }
                } catch (RuntimeException e) {
                    // each event was accepted alone: their own statements still apply them
                    LOG.warn("{}: folding {} events of aggregate {} failed, applying them one by one: {}", projection.name(),
                            events.size(), aggregate, e.toString());
                }
            }
            statements.forEach(eventStatements -> waves.add(aggregate, eventStatements));
        }
    }

    private void logOutcome(EventEnvelope event, Outcome outcome) {
        if (event != null) {
            Parking.withCorrelationId(event, () -> LOG.debug("{} {} v{} of {} (sequence {}): {}", projection.name(), event.eventType(),
                    event.eventVersion(), event.aggregateId(), event.sequence(), outcome));
        }
    }

    private void logGap(Gap gap) {
        EventEnvelope event = gap.delivery().event();
        RecordOrigin origin = gap.delivery().origin();
        Parking.withCorrelationId(event, () -> LOG.warn("{}: held back {} v{} of aggregate {} (sequence {}, {}-{}@{}): the read model is at v{}, "
                + "so v{} has not arrived; it is applied when the relay sends the aggregate's events again",
                projection.name(), event.eventType(), event.eventVersion(), event.aggregateId(), event.sequence(), origin.topic(),
                origin.partition(), origin.offset(), gap.position(), gap.position() + 1));
    }
}

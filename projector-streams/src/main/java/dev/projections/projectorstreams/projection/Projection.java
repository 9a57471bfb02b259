package dev.projections.projectorstreams.projection;

import dev.projections.eventcatalogue.EventEnvelope;
import java.util.List;
import java.util.Set;

/**
 * One read model: the aggregate types it reads and how each event changes its rows. {@link #apply} is
 * called only for events newer than the model's position for the event's aggregate; the statements it
 * gives run in the transaction that advances that position, batched with other events' statements, so an
 * implementation need not guard against duplicates itself.
 */
public interface Projection {

    /** A table of the read model and the column holding the aggregate id its rows belong to. */
    record Table(String name, String aggregateColumn) {
    }

    /** A column referring to another read model's rows: indexed, without a constraint, checked by verify. */
    record Reference(String table, String column, String targetTable) {
    }

    /** The read model's name, as in {@code bin/pipeline projector <name>}; also its Streams application id. */
    String name();

    /**
     * Its version. Raise it when a change needs the rows already written made anew (a new column, a fix of
     * what earlier rows hold): a projector starts only on a read model at its own version, and
     * {@code bin/pipeline replay <name> --shadow --swap} builds the new version beside the live one and
     * swaps it in.
     */
    default int version() {
        return 1;
    }

    /** The aggregate types whose topics it reads. */
    List<String> aggregateTypes();

    /** Its tables, main table (with {@code id} and {@code version}) last, so that children go first. */
    List<Table> tables();

    /** The events after which an aggregate has no rows in this read model. */
    default Set<String> removingEvents() {
        return Set.of();
    }

    /** Its references into other read models. */
    default List<Reference> references() {
        return List.of();
    }

    default String mainTable() {
        return tables().get(tables().size() - 1).name();
    }

    /**
     * Gives the statements that apply one event, without running them.
     *
     * @throws RuntimeException the payload cannot be read or applied: the event is parked
     */
    void apply(EventEnvelope event, Statements statements);

    /**
     * May give, for consecutive events of one aggregate applied in one batch, fewer statements that leave the
     * same rows as {@link #apply} of each in turn: one insert of a new aggregate's final row, say, instead of
     * an insert and its updates. It is asked only once {@code apply} accepted each event; statements it adds
     * replace theirs. A batch the database refuses is applied again event by event, without folding.
     *
     * @param events two or more, in order, of one aggregate
     * @return false to keep the events' own statements (the default), having added none
     */
    default boolean fold(List<EventEnvelope> events, Statements statements) {
        return false;
    }
}

package dev.projections.projectorstreams;

import dev.projections.eventcatalogue.EventEnvelope;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * One read model: the aggregate types it reads and how each event changes its rows. {@link #apply} runs
 * inside the transaction that also advances the model's position for the event's aggregate, and only for
 * events newer than that position, so an implementation need not guard against duplicates itself.
 */
public interface Projection {

    /** The read model's name, as in {@code bin/pipeline projector <name>}; also its Streams application id. */
    String name();

    /** The aggregate types whose topics it reads. */
    List<String> aggregateTypes();

    /** The tables it owns, emptied by a rebuild, children first. */
    List<String> tables();

    void apply(Connection connection, EventEnvelope event) throws SQLException;
}

package dev.projections.projectorstreams.projection;

import java.util.List;

/**
 * Where a projection puts the statements of one event. They run later, batched with those of the other
 * events of the transaction; an aggregate's statements run in the order given, after those of its
 * earlier events. A statement's effect must therefore not be read back by the projection: make it
 * conditional in SQL instead ({@code WHERE EXISTS}, {@code WHERE version < ?}).
 */
public interface Statements {

    /** One statement with positional parameters. */
    void add(String sql, Object... parameters);

    /** The same statement once per row of parameters; the rows are independent of one another. */
    void addRows(String sql, List<Object[]> rows);

    /**
     * The same rows for a statement that takes each column as one array, every parameter written
     * {@code ?::type[]}: {@code INSERT INTO t (a, b) SELECT * FROM unnest(?::uuid[], ?::text[])}. The
     * transaction's rows of it, of every event, go to the database together as a few arrays, in as few
     * executions as the aggregates' order allows (usually one), which PostgreSQL binds and plans faster
     * than the same rows as multi-row {@code VALUES}: the shape for inserting many small rows. A row holds
     * one value per array, in their order.
     */
    void addColumns(String sql, List<Object[]> rows);
}

package dev.projections.projectorstreams;

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
}

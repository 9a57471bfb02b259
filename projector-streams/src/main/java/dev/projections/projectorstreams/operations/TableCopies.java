package dev.projections.projectorstreams.operations;

import dev.projections.projectorstreams.ShadowProjection;
import dev.projections.projectorstreams.projection.Projection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Fresh copies of a read model's tables (columns, defaults, checks, indexes, and the foreign keys between
 * them, so that a deletion cascades in the copies as in the live tables): a shadow build's, or verify's
 * temporary ones.
 */
final class TableCopies {

    private TableCopies() {
    }

    /** @param temporary the session's own copies, emptied at each commit; either replaces the copies there are */
    static void create(Connection connection, ShadowProjection copy, boolean temporary) throws SQLException {
        Projection live = copy.live();
        try (Statement statement = connection.createStatement()) {
            for (Projection.Table table : live.tables()) {
                String name = copy.copyOf(table.name());
                statement.execute("DROP TABLE IF EXISTS " + name + " CASCADE");
                statement.execute(temporary
                        ? "CREATE TEMPORARY TABLE " + name.substring(name.indexOf('.') + 1) + " (LIKE " + table.name() + " INCLUDING ALL) ON COMMIT DELETE ROWS"
                        : "CREATE TABLE " + name + " (LIKE " + table.name() + " INCLUDING ALL)");
            }
            // LIKE copies no foreign key: those between the read model's own tables are made again between the copies
            for (Projection.Table table : live.tables()) {
                for (String foreignKey : foreignKeysWithin(connection, live, table.name())) {
                    statement.execute("ALTER TABLE " + copy.copyOf(table.name()) + " ADD " + copy.shadowed(foreignKey));
                }
            }
        }
    }

    /** The foreign keys of {@code table} that reference a table of the same read model, as {@code CONSTRAINT name FOREIGN KEY ...}. */
    private static List<String> foreignKeysWithin(Connection connection, Projection live, String table) throws SQLException {
        List<String> foreignKeys = new ArrayList<>();
        List<String> own = live.tables().stream().map(Projection.Table::name).toList();
        try (PreparedStatement statement = connection.prepareStatement("""
                SELECT conname, pg_get_constraintdef(oid), confrelid::regclass::text FROM pg_constraint
                 WHERE conrelid = ?::regclass AND contype = 'f' ORDER BY conname
                """)) {
            statement.setString(1, table);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    if (own.contains(rows.getString(3))) {
                        foreignKeys.add("CONSTRAINT " + rows.getString(1) + " " + rows.getString(2));
                    }
                }
            }
        }
        return foreignKeys;
    }
}

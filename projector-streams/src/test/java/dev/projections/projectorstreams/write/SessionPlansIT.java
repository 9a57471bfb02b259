package dev.projections.projectorstreams.write;

import static dev.projections.projectorstreams.EventFixtures.CONVERTED;
import static dev.projections.projectorstreams.EventFixtures.UPLOADED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.projections.projectorstreams.EventFixtures;
import dev.projections.embeddedservices.SharedPostgres;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.migrations.Migrations;
import dev.projections.projectorstreams.document.DocumentProjection;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class SessionPlansIT {

    @Test
    void givenTheContentsCheckPlannedWhileDocumentViewsWasAnalyzedEmpty_whenTheSessionsPlansAreDue_thenEachCheckUsesTheIndexInsteadOfScanningTheTable()
            throws SQLException {
        DataSource dataSource = SharedPostgres.get().dataSource();
        Migrations.migrate(dataSource);
        BatchTransaction writer = new BatchTransaction(new DocumentProjection(), "document");
        SessionPlans plans = new SessionPlans(Duration.ZERO);
        try (Connection connection = dataSource.getConnection()) {
            plans.renewIfDue(connection);
            // a rebuild has emptied the read model, and an ANALYZE ran before its first rows; no automatic
            // one comes in the middle of the test
            execute(connection, "ALTER TABLE readmodel.document_views SET (autovacuum_enabled = false)");
            execute(connection, "TRUNCATE readmodel.document_contents, readmodel.document_views");
            execute(connection, "ANALYZE readmodel.document_views");
            connection.setAutoCommit(false);
            // the session's first checks, on a table of a few rows, settle its plan of them
            for (int batch = 0; batch < 8; batch++) {
                apply(writer, connection, 1);
                connection.commit();
            }
            for (int batch = 0; batch < 10; batch++) {
                apply(writer, connection, 200);
                connection.commit();
            }

            long[] kept = scansOfDocumentViewsApplying(writer, connection, 20);
            connection.rollback();
            connection.setAutoCommit(true);
            plans.renewIfDue(connection);
            connection.setAutoCommit(false);
            long[] renewed = scansOfDocumentViewsApplying(writer, connection, 20);
            connection.rollback();

            execute(connection, "TRUNCATE readmodel.document_contents, readmodel.document_views");
            execute(connection, "ALTER TABLE readmodel.document_views RESET (autovacuum_enabled)");
            connection.commit();

            assertThat(kept[0]).as("sequential scans of document_views for 20 documents' contents, with the plan kept").isGreaterThanOrEqualTo(20);
            assertThat(renewed[0]).as("sequential scans of document_views for 20 documents' contents, planned again").isZero();
            assertThat(renewed[1]).as("index scans of document_views for them, planned again").isGreaterThanOrEqualTo(20);
        }
    }

    /** New documents, uploaded and converted in one batch, as a rebuild meets them. */
    private static void apply(BatchTransaction writer, Connection connection, int documents) throws SQLException {
        List<Delivery> deliveries = new ArrayList<>();
        for (int d = 0; d < documents; d++) {
            EventFixtures document = EventFixtures.document();
            for (EventEnvelope event : List.of(document.next("DocumentUploaded", UPLOADED), document.next("DocumentConverted", CONVERTED))) {
                deliveries.add(Delivery.of(new RecordOrigin(event.topic(), 0, deliveries.size()), event));
            }
        }
        assertThat(writer.apply(connection, deliveries, new HashSet<>()).outcomes()).containsOnly(Outcome.APPLIED);
    }

    /** Sequential and index scans of document_views while new documents are applied. */
    private static long[] scansOfDocumentViewsApplying(BatchTransaction writer, Connection connection, int documents) throws SQLException {
        long[] before = scansOfDocumentViews(connection);
        apply(writer, connection, documents);
        long[] after = scansOfDocumentViews(connection);
        return new long[] {after[0] - before[0], after[1] - before[1]};
    }

    /** The session's scans of document_views not yet counted in pg_stat_user_tables, this transaction's among them. */
    private static long[] scansOfDocumentViews(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(
                "SELECT seq_scan, idx_scan FROM pg_stat_xact_user_tables WHERE relid = 'readmodel.document_views'::regclass")) {
            rows.next();
            return new long[] {rows.getLong(1), rows.getLong(2)};
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}

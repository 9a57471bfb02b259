package dev.projections.projectorstreams.write;

import static dev.projections.projectorstreams.EventFixtures.CONVERTED;
import static dev.projections.projectorstreams.EventFixtures.UPLOADED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.projections.projectorstreams.EventFixtures;
import dev.projections.embeddedservices.SharedPostgres;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.migrations.Migrations;
import dev.projections.projectorstreams.document.DocumentProjection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class BatchTransactionIT {

    @Test
    void givenTwoInstancesApplyingANewAggregatesFirstEventsAtOnce_whenTheFirstCommits_thenTheSecondIsToldToApplyAgainAndThenFindsThemApplied()
            throws Exception {
        // two projector instances reading the same partition for a moment, as while one of them has not yet noticed it lost it
        DataSource dataSource = SharedPostgres.get().dataSource();
        Migrations.migrate(dataSource);
        BatchTransaction first = new BatchTransaction(new DocumentProjection(), "document");
        BatchTransaction second = new BatchTransaction(new DocumentProjection(), "document");
        EventFixtures document = EventFixtures.document();
        List<EventEnvelope> events = List.of(document.next("DocumentUploaded", UPLOADED), document.next("DocumentConverted", CONVERTED));
        List<Delivery> deliveries = new ArrayList<>();
        for (int offset = 0; offset < events.size(); offset++) {
            deliveries.add(Delivery.of(new RecordOrigin(events.get(offset).topic(), 0, offset), events.get(offset)));
        }

        try (Connection one = dataSource.getConnection(); Connection other = dataSource.getConnection()) {
            one.setAutoCommit(false);
            other.setAutoCommit(false);
            assertThat(first.apply(one, deliveries, new HashSet<>()).outcomes()).containsOnly(Outcome.APPLIED);
            CompletableFuture<BatchTransaction.Result> meanwhile = CompletableFuture.supplyAsync(() -> {
                try {
                    return second.apply(other, deliveries, new HashSet<>());
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> waitingForALock(dataSource));
            one.commit();

            // a serialization failure: PendingBatches applies the batch again, in a new transaction, as it would after a deadlock
            assertThatThrownBy(meanwhile::join).hasCauseInstanceOf(SQLException.class)
                    .cause().satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("40001"));
            other.rollback();
            assertThat(second.apply(other, deliveries, new HashSet<>()).outcomes()).containsOnly(Outcome.ALREADY_APPLIED);
            other.commit();
        }
        assertThat(count(dataSource, "SELECT count(*) FROM readmodel.projection_positions WHERE projection = 'document' AND aggregate_id = ? AND version = 2",
                document)).isEqualTo(1);
        assertThat(count(dataSource, "SELECT count(*) FROM readmodel.document_views WHERE id = ? AND version = 2 AND section_count = 1", document))
                .isEqualTo(1);
    }

    private static boolean waitingForALock(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                ResultSet rows = connection.createStatement().executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")) {
            rows.next();
            return rows.getInt(1) > 0;
        }
    }

    private static int count(DataSource dataSource, String sql, EventFixtures aggregate) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, aggregate.aggregateId());
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}

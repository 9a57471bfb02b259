package dev.projections.eventwriter;

import dev.projections.eventcatalogue.AggregateTypes;
import dev.projections.eventcatalogue.customer.CustomerRegistered;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * The values that must be unique across aggregates, claimed in {@code eventstore.unique_claims} in the
 * transaction that appends the events: a customer's code. Read models keep no such constraint, since
 * they see aggregates in no particular order across each other; the event store is where it can hold.
 */
final class UniqueClaims {

    static final String CUSTOMER_CODE = "customer code";

    /**
     * Claims for the aggregate, or finds it already holds: a second transaction claiming the same value
     * waits for the first, then sees its row.
     */
    private static final String CLAIM = """
            INSERT INTO eventstore.unique_claims (claim, value, aggregate_id) VALUES (?, ?, ?)
            ON CONFLICT (claim, value) DO NOTHING
            """;
    private static final String HOLDER = "SELECT aggregate_id FROM eventstore.unique_claims WHERE claim = ? AND value = ?";

    private record Claim(String claim, String value) {
    }

    private UniqueClaims() {
    }

    /** @throws UniqueClaimException a value is held by another aggregate; the caller rolls back */
    static void claim(Connection connection, String aggregateType, UUID aggregateId, List<NewEvent> events) throws SQLException {
        for (NewEvent event : events) {
            for (Claim claim : claimsOf(aggregateType, event)) {
                try (PreparedStatement insert = connection.prepareStatement(CLAIM)) {
                    insert.setString(1, claim.claim());
                    insert.setString(2, claim.value());
                    insert.setObject(3, aggregateId);
                    if (insert.executeUpdate() == 1) {
                        continue;
                    }
                }
                UUID holder = holder(connection, claim);
                if (!aggregateId.equals(holder)) {
                    throw new UniqueClaimException(claim.claim(), claim.value(), holder);
                }
            }
        }
    }

    private static List<Claim> claimsOf(String aggregateType, NewEvent event) {
        if (AggregateTypes.CUSTOMER.equals(aggregateType) && CustomerRegistered.TYPE.equals(event.eventType())
                && event.payload().path("code").isTextual()) {
            return List.of(new Claim(CUSTOMER_CODE, event.payload().path("code").asText()));
        }
        return List.of();
    }

    private static UUID holder(Connection connection, Claim claim) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(HOLDER)) {
            select.setString(1, claim.claim());
            select.setString(2, claim.value());
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? rows.getObject(1, UUID.class) : null;
            }
        }
    }
}

package dev.projections.projectorstreams.customer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.projectorstreams.EventFixtures;
import dev.projections.projectorstreams.write.Outcome;
import dev.projections.projectorstreams.ProjectionFixture;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CustomerProjectionIT {

    private static ProjectionFixture fixture;

    @BeforeAll
    static void migrate() {
        fixture = new ProjectionFixture(new CustomerProjection());
    }

    @Test
    void givenANewCustomer_whenRegisteredAndRenamed_thenTheRowHoldsTheCodeTheNewNameAndTheEventsTimes() throws Exception {
        EventFixtures customer = customer();
        String code = "C-" + customer.aggregateId().toString().substring(0, 8);

        fixture.apply(customer.next("CustomerRegistered", "{\"code\": \"" + code + "\", \"name\": \"Acme " + code + "\"}"));
        fixture.apply(customer.next("CustomerRenamed", "{\"name\": \"Acme Holdings " + code + "\"}"));

        assertThat(row(customer.aggregateId())).isEqualTo(
                "2|" + code + "|Acme Holdings " + code + "|2026-03-01 09:01:00.123456+00|2026-03-01 09:02:00.123456+00");
    }

    @Test
    void givenAnUpToDateCustomer_whenItsEventsAreDeliveredAgain_thenTheRowIsUnchangedAndDoesNotRegress() throws Exception {
        EventFixtures customer = customer();
        String code = "D-" + customer.aggregateId().toString().substring(0, 8);
        List<EventEnvelope> history = List.of(
                customer.next("CustomerRegistered", "{\"code\": \"" + code + "\", \"name\": \"First " + code + "\"}"),
                customer.next("CustomerRenamed", "{\"name\": \"Second " + code + "\"}"));
        fixture.applyAll(history);
        String before = row(customer.aggregateId());

        for (EventEnvelope event : history) {
            assertThat(fixture.apply(event)).isEqualTo(Outcome.ALREADY_APPLIED);
        }

        assertThat(row(customer.aggregateId())).isEqualTo(before).contains("Second " + code);
    }

    @Test
    void givenANameHandedOverBetweenCustomers_whenTheNewHoldersRegistrationArrivesFirst_thenBothRowsFollowTheirEventsAndNothingIsParked()
            throws Exception {
        EventFixtures old = customer();
        EventFixtures successor = customer();
        String name = "Acme " + old.aggregateId().toString().substring(0, 8);
        EventEnvelope oldRegistered = old.next("CustomerRegistered", "{\"code\": \"O-" + name.substring(5) + "\", \"name\": \"" + name + "\"}");
        EventEnvelope oldRenamed = old.next("CustomerRenamed", "{\"name\": \"" + name + " (old)\"}");
        EventEnvelope successorRegistered = successor.next("CustomerRegistered",
                "{\"code\": \"S-" + name.substring(5) + "\", \"name\": \"" + name + "\"}");

        // partitions are ordered per aggregate, not across them: the successor's registration comes before the rename
        assertThat(fixture.applyAll(List.of(oldRegistered, successorRegistered, oldRenamed))).containsOnly(Outcome.APPLIED);

        assertThat(row(old.aggregateId())).contains("|" + name + " (old)|");
        assertThat(row(successor.aggregateId())).contains("|" + name + "|");
    }

    @Test
    void givenTwoCustomersWithOneCodeInTheEventStore_whenProjected_thenBothAreInTheReadModel() throws Exception {
        // the writer refuses a taken code; events written around it are still reflected, never refused
        EventFixtures first = customer();
        EventFixtures second = customer();
        String code = "E-" + first.aggregateId().toString().substring(0, 8);
        fixture.apply(first.next("CustomerRegistered", "{\"code\": \"" + code + "\", \"name\": \"One " + code + "\"}"));

        Outcome outcome = fixture.apply(second.next("CustomerRegistered", "{\"code\": \"" + code + "\", \"name\": \"Two " + code + "\"}"));

        assertThat(outcome).isEqualTo(Outcome.APPLIED);
        assertThat(fixture.query("SELECT count(*) FROM readmodel.customers WHERE code = ?", code)).containsExactly("2");
    }

    @Test
    void givenACustomer_whenAnEventTheModelDoesNotUseArrives_thenItsVersionStillAdvances() throws Exception {
        EventFixtures customer = customer();
        String code = "F-" + customer.aggregateId().toString().substring(0, 8);
        fixture.apply(customer.next("CustomerRegistered", "{\"code\": \"" + code + "\", \"name\": \"F " + code + "\"}"));

        fixture.apply(customer.next("CustomerTierChanged", "{\"tier\": \"gold\"}"));

        assertThat(row(customer.aggregateId())).startsWith("2|" + code);
    }

    private static EventFixtures customer() {
        return new EventFixtures("customer", UUID.randomUUID());
    }

    private static String row(UUID id) throws Exception {
        return fixture.query("SELECT concat_ws('|', version, code, name, registered_at, updated_at) FROM readmodel.customers WHERE id = ?", id)
                .get(0);
    }
}

package dev.projections.eventwriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.projections.embeddedservices.SharedPostgres;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.migrations.Migrations;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class EventStoreIT {

    private static final ExecutorService THREADS = Executors.newFixedThreadPool(8);
    private static EventStore store;

    @BeforeAll
    static void migrate() {
        Migrations.migrate(SharedPostgres.get().dataSource());
        store = new EventStore(SharedPostgres.get().dataSource());
    }

    @AfterAll
    static void stop() {
        THREADS.shutdownNow();
    }

    @Test
    void givenNewAggregate_whenThreeEventsAreAppendedAtVersion0_thenTheyGetVersions1To3AndRisingSequences() {
        UUID id = UUID.randomUUID();

        AppendResult result = store.append("document", id, 0, List.of(uploaded(), converted(), event("DocumentArchived")));

        assertThat(result.version()).isEqualTo(3);
        assertThat(result.events()).extracting(AppendResult.Appended::eventVersion).containsExactly(1, 2, 3);
        List<Long> sequences = result.events().stream().map(AppendResult.Appended::sequence).toList();
        assertThat(sequences).isSorted().doesNotHaveDuplicates();
        List<EventEnvelope> loaded = store.load(id);
        assertThat(loaded).extracting(EventEnvelope::eventType).containsExactly("DocumentUploaded", "DocumentConverted", "DocumentArchived");
        assertThat(loaded).extracting(EventEnvelope::sequence).containsExactlyElementsOf(sequences);
        assertThat(loaded.get(0).payload().get("title").asText()).isEqualTo("Spec");
        assertThat(loaded.get(0).metadata().get("user_id").asText()).isEqualTo("alice");
    }

    @Test
    void givenAggregateAtVersion2_whenAppendingWithAStaleVersion_thenAVersionConflictNamesBothAndNothingIsWritten() {
        UUID id = UUID.randomUUID();
        store.append("document", id, 0, List.of(uploaded(), converted()));

        assertThatThrownBy(() -> store.append("document", id, 1, List.of(event("DocumentArchived"))))
                .isInstanceOfSatisfying(VersionConflictException.class, conflict -> {
                    assertThat(conflict.expectedVersion()).isEqualTo(1);
                    assertThat(conflict.currentVersion()).isEqualTo(2);
                })
                .hasMessage("aggregate " + id + " is at version 2, not the expected 1");
        assertThat(store.currentVersion(id)).isEqualTo(2);
    }

    @Test
    void givenManyWritersAtTheSameVersion_whenTheyAppendAtOnce_thenExactlyOneWinsAndTheOthersConflict() throws Exception {
        UUID id = UUID.randomUUID();
        store.append("document", id, 0, List.of(uploaded()));
        CountDownLatch start = new CountDownLatch(1);
        List<Future<AppendResult>> attempts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Callable<AppendResult> attempt = () -> {
                start.await();
                return store.append("document", id, 1, List.of(converted()));
            };
            attempts.add(THREADS.submit(attempt));
        }
        start.countDown();

        int won = 0;
        int conflicted = 0;
        for (Future<AppendResult> attempt : attempts) {
            try {
                attempt.get();
                won++;
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(VersionConflictException.class);
                conflicted++;
            }
        }
        assertThat(won).isEqualTo(1);
        assertThat(conflicted).isEqualTo(7);
        assertThat(store.load(id)).extracting(EventEnvelope::eventVersion).containsExactly(1, 2);
    }

    @Test
    void givenACustomerCodeTaken_whenAnotherCustomerRegistersWithIt_thenTheAppendIsRefusedNamingTheHolderAndNothingIsWritten() {
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        String code = "C-" + first.toString().substring(0, 8);
        store.append("customer", first, 0, List.of(registered(code, "Acme")));
        // a rename keeps the code; the name is free for another customer
        store.append("customer", first, 1, List.of(NewEvent.of("CustomerRenamed", EventJson.tree("{\"name\": \"Acme (old)\"}"))));

        assertThatThrownBy(() -> store.append("customer", second, 0, List.of(registered(code, "Acme"))))
                .isInstanceOfSatisfying(UniqueClaimException.class, taken -> assertThat(taken.heldBy()).isEqualTo(first))
                .hasMessage("customer code '" + code + "' is already taken by aggregate " + first);
        assertThat(store.currentVersion(second)).isZero();

        store.append("customer", second, 0, List.of(registered(code + "-2", "Acme")));
        assertThat(store.currentVersion(second)).isEqualTo(1);
    }

    @Test
    void givenManyCustomersRegisteringOneCodeAtOnce_whenTheyAppend_thenExactlyOneHoldsIt() throws Exception {
        String code = "R-" + UUID.randomUUID().toString().substring(0, 8);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<AppendResult>> attempts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            attempts.add(THREADS.submit(() -> {
                start.await();
                return store.append("customer", UUID.randomUUID(), 0, List.of(registered(code, "Racer")));
            }));
        }
        start.countDown();

        int won = 0;
        for (Future<AppendResult> attempt : attempts) {
            try {
                attempt.get();
                won++;
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(UniqueClaimException.class);
            }
        }
        assertThat(won).isEqualTo(1);
    }

    @Test
    void givenInvalidEvents_whenAppended_thenEveryProblemIsListedAndNothingIsWritten() {
        UUID id = UUID.randomUUID();
        List<NewEvent> events = List.of(new NewEvent("documentUploaded", EventJson.tree("[1]"), null),
                new NewEvent(null, EventJson.tree("{}"), null));

        assertThatThrownBy(() -> store.append("Document!", id, -1, events))
                .isInstanceOfSatisfying(InvalidEventsException.class, invalid -> assertThat(invalid.problems())
                        .extracting(Problem::path)
                        .containsExactly("aggregateType", "events[0].eventType", "events[0].payload", "events[1].eventType",
                                "expectedVersion"));
        assertThat(store.currentVersion(id)).isZero();
    }

    @Test
    void givenADocumentAggregate_whenEventsAreAppendedToItAsACustomer_thenTheAppendIsRefused() {
        UUID id = UUID.randomUUID();
        store.append("document", id, 0, List.of(uploaded()));

        assertThatThrownBy(() -> store.append("customer", id, 1, List.of(NewEvent.of("CustomerRenamed", EventJson.tree("{\"name\": \"Acme\"}")))))
                .isInstanceOf(InvalidEventsException.class)
                .hasMessageContaining("aggregate " + id + " is a document, not a customer");
    }

    @Test
    void givenEventsOfSeveralAggregates_whenReadAllAfterASequence_thenTheyComeInSequenceOrder() {
        long before = store.append("document", UUID.randomUUID(), 0, List.of(uploaded())).events().get(0).sequence();
        store.append("document", UUID.randomUUID(), 0, List.of(uploaded(), converted()));

        List<EventEnvelope> read = store.readAll(before, 2);

        assertThat(read).hasSize(2);
        assertThat(read).extracting(EventEnvelope::sequence).isSorted().allMatch(sequence -> sequence > before);
    }

    @Test
    void givenSessionsThatCommitAsynchronouslyOrWaitForStandbys_whenEventsAreAppended_thenTheAsynchronousOnesCommitSynchronouslyAndTheOthersKeepTheirs()
            throws Exception {
        UUID relaxed = UUID.randomUUID();
        UUID replicated = UUID.randomUUID();
        try (Connection connection = SharedPostgres.get().dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE public.append_commit_modes (aggregate_id uuid, mode text)");
            statement.execute("""
                    CREATE FUNCTION public.record_commit_mode() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        INSERT INTO public.append_commit_modes VALUES (NEW.aggregate_id, current_setting('synchronous_commit'));
                        RETURN NULL;
                    END $$""");
            // only this test's aggregates: other tests append beside it
            statement.execute("CREATE TRIGGER record_commit_mode AFTER INSERT ON eventstore.events FOR EACH ROW WHEN (NEW.aggregate_id IN ('"
                    + relaxed + "', '" + replicated + "')) EXECUTE FUNCTION public.record_commit_mode()");
        }
        try {
            new EventStore(sessionsWith("synchronous_commit=off")).append("document", relaxed, 0, List.of(uploaded(), converted()));
            new EventStore(sessionsWith("synchronous_commit=remote_apply")).append("document", replicated, 0, List.of(uploaded()));

            List<String> modes = new ArrayList<>();
            try (Connection connection = SharedPostgres.get().dataSource().getConnection(); Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT aggregate_id, mode FROM public.append_commit_modes ORDER BY mode")) {
                while (rows.next()) {
                    modes.add((rows.getObject(1).equals(relaxed) ? "relaxed " : "replicated ") + rows.getString(2));
                }
            }
            assertThat(modes).containsExactly("relaxed on", "relaxed on", "replicated remote_apply");
        } finally {
            try (Connection connection = SharedPostgres.get().dataSource().getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("DROP TRIGGER record_commit_mode ON eventstore.events");
                statement.execute("DROP FUNCTION public.record_commit_mode()");
                statement.execute("DROP TABLE public.append_commit_modes");
            }
        }
    }

    /** Connections to the shared server whose sessions start with this setting. */
    private static DataSource sessionsWith(String setting) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(SharedPostgres.get().jdbcUrl());
        dataSource.setOptions("-c " + setting);
        return dataSource;
    }

    static NewEvent registered(String code, String name) {
        return NewEvent.of("CustomerRegistered", EventJson.tree("{\"code\": \"" + code + "\", \"name\": \"" + name + "\"}"));
    }

    static NewEvent uploaded() {
        return new NewEvent("DocumentUploaded", EventJson.tree("""
                {"title": "Spec", "filename": "spec.pdf", "contentType": "application/pdf", "sizeBytes": 10, "uploadedBy": "alice"}"""),
                (com.fasterxml.jackson.databind.node.ObjectNode) EventJson.tree("{\"user_id\": \"alice\"}"));
    }

    @Test
    void givenPayloadsTheCatalogueRefuses_whenAppended_thenEachProblemNamesItsFieldAndNothingIsWritten() {
        UUID id = UUID.randomUUID();
        List<NewEvent> events = List.of(
                NewEvent.of("DocumentUploaded", EventJson.tree("{\"title\": \"T\", \"filename\": \"t.pdf\", \"contentType\": \"x\", \"sizeBytes\": -1}")),
                NewEvent.of("DocumentConverted", EventJson.tree("{\"markdownContent\": \"\", \"sections\": [{\"heading\": \"h\", \"level\": 9}]}")),
                NewEvent.of("DocumentShredded", EventJson.tree("{}")));

        assertThatThrownBy(() -> store.append("document", id, 0, events))
                .isInstanceOfSatisfying(InvalidEventsException.class, invalid -> assertThat(invalid.problems()).extracting(Problem::toString)
                        .containsExactly(
                                "events[0].payload.sizeBytes: must have a minimum value of 0",
                                "events[0].payload.uploadedBy: is required",
                                "events[1].payload.sections[0].level: must have a maximum value of 6",
                                "events[2].eventType: 'DocumentShredded' is not an event of a document; known: DocumentUploaded, "
                                        + "DocumentConverted, SemanticIrExtracted, DocumentArchived, DocumentDeleted"));
        assertThat(store.currentVersion(id)).isZero();
    }

    @Test
    void givenAnAggregateTypeOutsideTheCatalogue_whenAppended_thenItIsRefused() {
        assertThatThrownBy(() -> store.append("invoice", UUID.randomUUID(), 0, List.of(event("InvoiceIssued"))))
                .isInstanceOf(InvalidEventsException.class)
                .hasMessage("aggregateType: 'invoice' is not an aggregate type of the event catalogue; known: document, customer, conversation");
    }

    static NewEvent converted() {
        return NewEvent.of("DocumentConverted", EventJson.tree("{\"markdownContent\": \"# Spec\", \"sections\": []}"));
    }

    static NewEvent event(String type) {
        return NewEvent.of(type, EventJson.tree("{}"));
    }
}

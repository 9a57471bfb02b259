package dev.projections.projectorstreams.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.projectorstreams.EventFixtures;
import dev.projections.projectorstreams.write.Outcome;
import dev.projections.projectorstreams.ProjectionFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConversationProjectionIT {

    private static final String CUSTOMER = "0a9d3a52-6a0c-4d0e-8f3e-5d2b1c4a7e90";
    private static final String[] TABLES = {"readmodel.conversation_threads:id", "readmodel.conversation_messages:thread_id"};

    private static ProjectionFixture fixture;

    @BeforeAll
    static void migrate() {
        fixture = new ProjectionFixture(new ConversationProjection());
    }

    @Test
    void givenAStartedConversation_whenMessagesArePosted_thenEachIsStoredAndBumpsTheThreadsUpdatedAt() throws Exception {
        EventFixtures thread = conversation();
        fixture.apply(thread.next("ConversationStarted", "{\"customerId\": \"" + CUSTOMER + "\", \"userId\": \"u-1\", \"title\": \"Pumps\"}"));

        fixture.apply(thread.next("MessagePosted", "{\"role\": \"user\", \"content\": \"Which pump?\"}"));
        fixture.apply(thread.next("MessagePosted", "{\"role\": \"assistant\", \"content\": \"The P-200.\", \"metadata\": {\"model\": \"m1\"}}"));

        assertThat(thread(thread.aggregateId())).isEqualTo(
                "3|" + CUSTOMER + "|u-1|Pumps|{}|t|2|2026-03-01 09:01:00.123456+00|2026-03-01 09:03:00.123456+00");
        assertThat(fixture.query("""
                SELECT concat_ws('|', thread_version, role, content, metadata, created_at)
                  FROM readmodel.conversation_messages WHERE thread_id = ? ORDER BY thread_version""", thread.aggregateId()))
                .containsExactly("2|user|Which pump?|{}|2026-03-01 09:02:00.123456+00",
                        "3|assistant|The P-200.|{\"model\": \"m1\"}|2026-03-01 09:03:00.123456+00");
    }

    @Test
    void givenAConversation_whenRenamedGivenContextAndClosed_thenTheThreadShowsEachChange() throws Exception {
        EventFixtures thread = conversation();
        fixture.apply(thread.next("ConversationStarted", "{\"customerId\": \"" + CUSTOMER + "\", \"userId\": \"u-2\"}"));

        fixture.apply(thread.next("ConversationRenamed", "{\"title\": \"Valves\"}"));
        fixture.apply(thread.next("ConversationContextUpdated", "{\"context\": {\"documents\": [\"d-1\"]}}"));
        fixture.apply(thread.next("ConversationClosed", "{}"));

        assertThat(thread(thread.aggregateId())).isEqualTo(
                "4|" + CUSTOMER + "|u-2|Valves|{\"documents\": [\"d-1\"]}|f|0|2026-03-01 09:01:00.123456+00|2026-03-01 09:04:00.123456+00");
        assertThat(fixture.query("SELECT closed_at::text FROM readmodel.conversation_threads WHERE id = ?", thread.aggregateId()))
                .containsExactly("2026-03-01 09:04:00.123456+00");
    }

    @Test
    void givenAnUpToDateModel_whenEveryEventIsDeliveredAgain_thenNothingChangesAndNothingRegresses() throws Exception {
        List<UUID> ids = new ArrayList<>();
        List<EventEnvelope> history = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            EventFixtures thread = conversation();
            ids.add(thread.aggregateId());
            history.add(thread.next("ConversationStarted", "{\"customerId\": \"" + CUSTOMER + "\", \"userId\": \"u\", \"title\": \"t\"}"));
            history.add(thread.next("MessagePosted", "{\"role\": \"user\", \"content\": \"q\"}"));
            history.add(thread.next("MessagePosted", "{\"role\": \"assistant\", \"content\": \"a\"}"));
            history.add(thread.next("ConversationRenamed", "{\"title\": \"renamed\"}"));
        }
        fixture.applyAll(history);
        List<String> before = fixture.snapshots(ids, TABLES);

        List<String> after = fixture.replay(history, ids, TABLES);

        assertThat(after).isEqualTo(before);
        assertThat(after.get(0)).contains("\"message_count\":2", "\"title\":\"renamed\"");
    }

    @Test
    void givenAMessageWithARoleTheModelRefuses_whenApplied_thenItIsParkedWithTheRestOfItsThread() throws Exception {
        EventFixtures thread = conversation();
        fixture.apply(thread.next("ConversationStarted", "{\"customerId\": \"" + CUSTOMER + "\", \"userId\": \"u-3\"}"));

        assertThat(fixture.apply(thread.next("MessagePosted", "{\"role\": \"system\", \"content\": \"x\"}"))).isEqualTo(Outcome.PARKED);
        assertThat(fixture.apply(thread.next("ConversationClosed", "{}"))).isEqualTo(Outcome.PARKED);

        assertThat(thread(thread.aggregateId())).startsWith("1|");
        assertThat(fixture.query("SELECT error FROM readmodel.parked_events WHERE aggregate_id = ? AND event_version = 2", thread.aggregateId()))
                .singleElement().asString().startsWith("23514");
    }

    private static EventFixtures conversation() {
        return new EventFixtures("conversation", UUID.randomUUID());
    }

    private static String thread(UUID id) throws Exception {
        return fixture.query("""
                SELECT concat_ws('|', version, customer_id, user_id, title, context_cache, is_active, message_count, created_at, updated_at)
                  FROM readmodel.conversation_threads WHERE id = ?""", id).get(0);
    }
}

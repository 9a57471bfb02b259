package dev.projections.eventcatalogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/** The topics' names and serdes are a public contract (docs/topics.md): every other test names topics through them. */
class EventTopicsTest {

    @Test
    void givenAnAggregateType_whenItsTopicIsNamed_thenItIsEventsDotTheTypeKeyedByAStringAndValuedByBytes() {
        EventTopics.Topic<String, byte[]> documents = EventTopics.forAggregateType("document");

        assertThat(documents.name()).isEqualTo("events.document");
        assertThat(documents.keySerde().getClass()).isEqualTo(Serdes.String().getClass());
        assertThat(documents.valueSerde().getClass()).isEqualTo(Serdes.ByteArray().getClass());
    }

    @Test
    void givenAnAggregateTypeThatIsNoTopicName_whenItsTopicIsNamed_thenItIsRefused() {
        assertThatThrownBy(() -> EventTopics.forAggregateType("Invoice Lines")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must match");
    }
}

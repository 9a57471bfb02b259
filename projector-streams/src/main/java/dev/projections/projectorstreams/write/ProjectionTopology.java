package dev.projections.projectorstreams.write;

import dev.projections.eventcatalogue.EventTopics;
import java.util.List;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;

/**
 * The topology of every projector: its aggregate types' topics, read in partition order (one aggregate's
 * events in version order) into the stream thread's batch. Values stay bytes until the processor reads
 * them, so a record that is not an envelope is parked rather than stopping the application.
 */
public final class ProjectionTopology {

    /** More events than this in one batch ask Streams to commit early. */
    static final int MAX_BATCH_SIZE = 1000;

    private ProjectionTopology() {
    }

    public static Topology buildTopology(PendingBatches batches) {
        List<EventTopics.Topic<String, byte[]>> topics = EventTopics.forAggregateTypes(batches.projection().aggregateTypes());
        EventTopics.Topic<String, byte[]> any = topics.get(0);
        StreamsBuilder builder = new StreamsBuilder();
        // every events topic has the same key and value serdes: one source reads them all
        builder.stream(topics.stream().map(EventTopics.Topic::name).toList(), Consumed.with(any.keySerde(), any.valueSerde()).withName("events"))
                .process(() -> new ProjectingProcessor(batches, MAX_BATCH_SIZE), Named.as("project-" + batches.projection().name()));
        return builder.build();
    }
}

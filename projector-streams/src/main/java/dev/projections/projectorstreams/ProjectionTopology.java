package dev.projections.projectorstreams;

import dev.projections.eventcatalogue.EventTopics;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;

/**
 * The topology of every projector: its aggregate types' topics, read in partition order (one aggregate's
 * events in version order) and applied into the stream thread's read-model transaction. Values stay bytes
 * until the processor reads them, so a record that is not an envelope is parked rather than stopping the
 * application.
 */
public final class ProjectionTopology {

    /** More events than this in one transaction ask Streams to commit early. */
    static final int MAX_BATCH_SIZE = 1000;

    private ProjectionTopology() {
    }

    static Topology buildTopology(ReadModelTransactions transactions) {
        Projection projection = transactions.writer().projection();
        List<String> topics = EventTopics.topicNames(projection.aggregateTypes());
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(topics, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("events"))
                .process(() -> new ProjectingProcessor(transactions, MAX_BATCH_SIZE), Named.as("project-" + projection.name()));
        return builder.build();
    }
}

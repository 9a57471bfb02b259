package dev.projections.projectorstreams;

import dev.projections.eventcatalogue.EventTopics;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;

/**
 * The topology of every projector: its aggregate types' topics, read in partition order (one aggregate's
 * events in version order) and applied one by one. Values stay bytes until the processor reads them, so a
 * record that is not an envelope is parked rather than stopping the application.
 */
public final class ProjectionTopology {

    private ProjectionTopology() {
    }

    public static Topology buildTopology(ProjectionWriter writer, ProjectionMetrics metrics) {
        List<String> topics = EventTopics.topicNames(writer.projection().aggregateTypes());
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(topics, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("events"))
                .process(() -> new ProjectingProcessor(writer, metrics),
                        org.apache.kafka.streams.kstream.Named.as("project-" + writer.projection().name()));
        return builder.build();
    }
}

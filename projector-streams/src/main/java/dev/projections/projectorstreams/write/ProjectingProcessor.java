package dev.projections.projectorstreams.write;

import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventcatalogue.upcasting.Upcasters;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Adds each record of a task's partitions to its stream thread's batch ({@link PendingBatches}), whose rows
 * commit before the thread's offsets do. A record that is not an event envelope is added too, to be parked.
 */
final class ProjectingProcessor implements Processor<String, byte[], Void, Void> {

    private final PendingBatches batches;
    private final int maxBatchSize;
    private ProcessorContext<Void, Void> context;

    ProjectingProcessor(PendingBatches batches, int maxBatchSize) {
        this.batches = batches;
        this.maxBatchSize = maxBatchSize;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        batches.loadParked();
    }

    @Override
    public void process(Record<String, byte[]> record) {
        RecordMetadata metadata = context.recordMetadata().orElseThrow();
        RecordOrigin origin = new RecordOrigin(metadata.topic(), metadata.partition(), metadata.offset());
        Delivery delivery;
        try {
            // an event of a retired type is read as the current one; one its upcaster cannot read is parked
            delivery = Delivery.of(origin, Upcasters.CURRENT.upcast(EventJson.envelope(record.value())));
        } catch (RuntimeException e) {
            delivery = Delivery.unreadable(origin, parseKey(record.key()), e.getMessage(),
                    record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8));
        }
        batches.add(delivery);
        if (batches.size() >= maxBatchSize) {
            context.commit();
        }
    }

    private static UUID parseKey(String key) {
        try {
            return key == null ? null : UUID.fromString(key);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

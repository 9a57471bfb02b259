package dev.projections.cdcrelay;

import io.debezium.embedded.KafkaConnectUtil;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.KafkaOffsetBackingStore;
import org.apache.kafka.connect.util.SharedTopicAdmin;

/**
 * Debezium's offsets in their Kafka topic, as Debezium's own Kafka offset store keeps them, with the admin
 * client the store uses closed when the store stops. Debezium 3.6 leaves that client open: one more
 * client and its network thread for every start of the engine, which the relay restarts after each error,
 * and, in local mode, warnings about the broker it can no longer reach once the broker has stopped.
 */
public final class RelayOffsetStore extends KafkaOffsetBackingStore {

    private final AtomicReference<SharedTopicAdmin> admin;

    public RelayOffsetStore() {
        this(new AtomicReference<>());
    }

    private RelayOffsetStore(AtomicReference<SharedTopicAdmin> admin) {
        super(() -> admin.get().topicAdmin(), () -> "pipeline-relay", KafkaConnectUtil.converterForOffsetStore());
        this.admin = admin;
    }

    @Override
    public void configure(WorkerConfig config) {
        Map<String, Object> properties = new HashMap<>(config.originals());
        properties.put("client.id", "pipeline-relay-offsets-admin");
        admin.set(new SharedTopicAdmin(properties));
        super.configure(config);
    }

    @Override
    public void stop() {
        try {
            super.stop();
        } finally {
            SharedTopicAdmin used = admin.getAndSet(null);
            if (used != null) {
                used.close();
            }
        }
    }
}

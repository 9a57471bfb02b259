package dev.projections.projectorstreams;

import dev.projections.projectorstreams.projection.Projection;
import dev.projections.settings.DatabaseSettings;
import dev.projections.settings.KafkaSettings;
import dev.projections.settings.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** A projector's settings, validated at once, and the Kafka Streams properties they make. */
public record ProjectorConfig(
        Projection projection,
        DatabaseSettings database,
        KafkaSettings kafka,
        String applicationIdPrefix,
        int streamThreads,
        Path stateDirectory,
        Duration commitInterval,
        String instanceId) {

    public static final String APPLICATION_ID_PREFIX = "projector-application-id-prefix";
    public static final String STREAM_THREADS = "projector-threads";
    public static final String STATE_DIR = "projector-state-dir";
    public static final String COMMIT_INTERVAL = "projector-commit-interval";
    public static final String INSTANCE_ID = "projector-instance-id";
    /**
     * How long a member that stops answering (killed, its host gone) keeps its partitions: the client's 45 s
     * held a killed projector's partitions still for 45 s. Heartbeats come from the consumer's own thread,
     * whatever a batch takes, so only a pause of the whole process (a long collection) or of the network this
     * long costs a needless rebalance. {@code PIPELINE_KAFKA_CLIENT_SESSION_TIMEOUT_MS} sets another.
     */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);
    static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(3);
    private static final Pattern INSTANCE = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    /**
     * How often Streams commits the offsets of what was applied, unless the commit interval is longer: the
     * read model commits on its own schedule (see {@code RowsBeforeOffsetsConsumer#poll}), so offsets need not
     * follow every batch; after a crash, what was applied since is read again and changes nothing.
     */
    static final Duration OFFSET_COMMIT_INTERVAL = Duration.ofSeconds(1);

    public static ProjectorConfig from(String readModel, Settings settings, Map<String, String> environment) {
        Projection projection = Projections.named(readModel, settings);
        return new ProjectorConfig(
                projection,
                DatabaseSettings.from(settings),
                KafkaSettings.from(settings, environment),
                settings.string(APPLICATION_ID_PREFIX, "pipeline-projector-"),
                settings.integer(STREAM_THREADS, 1, 1, 64),
                Path.of(settings.string(STATE_DIR, Path.of(System.getProperty("java.io.tmpdir"), "pipeline-projector-state").toString())),
                settings.duration(COMMIT_INTERVAL, Duration.ofMillis(25)),
                instanceId(settings));
    }

    private static String instanceId(Settings settings) {
        String id = settings.optional(INSTANCE_ID).orElse(null);
        if (id != null && !INSTANCE.matcher(id).matches()) {
            settings.problem(INSTANCE_ID, "is '" + id + "'; use letters, digits, '.', '_' and '-' (at most 100), e.g. the pod's name");
        }
        return id;
    }

    /** The same settings with another number of stream threads. */
    public ProjectorConfig withStreamThreads(int threads) {
        return new ProjectorConfig(projection, database, kafka, applicationIdPrefix, threads, stateDirectory, commitInterval, instanceId);
    }

    /** The settings for another projection, such as a shadow build's: a group of its own, with members of no fixed identity. */
    public ProjectorConfig withProjection(Projection other) {
        return new ProjectorConfig(other, database, kafka, applicationIdPrefix, streamThreads, stateDirectory, commitInterval, null);
    }

    /** The Streams application id and so the consumer group: one per read model. */
    public String applicationId() {
        return applicationIdPrefix + projection.name();
    }

    public Properties streamsProperties() {
        Properties props = new Properties();
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) SESSION_TIMEOUT.toMillis());
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) HEARTBEAT_INTERVAL.toMillis());
        if (instanceId != null) {
            // a static member: restarted with the same id within the session timeout, it gets its partitions
            // back at once, without a rebalance (Streams adds each stream thread's number)
            props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, applicationId() + "-" + instanceId);
        }
        kafka.clientConfig().forEach((key, value) -> {
            // internal settings could move processing off the committing thread
            if (!key.startsWith("__")) {
                props.put(key, value);
            }
        });
        // what the read model's commit relies on, whatever the client settings say: offsets committed by the
        // main consumer our client supplier makes (the classic protocol), and no record skipped on an error
        props.put("group.protocol", "classic");
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                "org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler");
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streamThreads);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDirectory.toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Math.max(commitInterval.toMillis(), OFFSET_COMMIT_INTERVAL.toMillis()));
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // an aggregate's events are all in one partition, whose order Streams keeps: a task reading several
        // topics need not hold what it has until its other partitions have data (or their lag is known)
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
        props.put("processing.exception.handler.global.enabled", true);
        return props;
    }
}

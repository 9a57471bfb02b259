package dev.projections.pipelinecli;

import com.zaxxer.hikari.HikariDataSource;
import dev.projections.monitoring.Monitoring;
import dev.projections.projectorstreams.ProjectorApp;
import dev.projections.projectorstreams.ProjectorConfig;
import dev.projections.projectorstreams.operations.ProjectorGroup;
import dev.projections.projectorstreams.operations.Rebuild;
import dev.projections.settings.Retry;
import dev.projections.settings.Settings;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Rewind a projector's consumer group and apply its events again, with a progress bar.",
            "The projector's instances must be stopped first (Kafka refuses to move the offsets of an active group).",
            "Over an up-to-date read model a replay changes nothing; --rebuild empties the read model first."})
final class ReplayCommand implements Callable<Integer> {

    @Mixin
    SettingOptions options;

    @Parameters(index = "0", paramLabel = "READ-MODEL", completionCandidates = ReadModelNames.class,
            description = "The read model, one of: ${COMPLETION-CANDIDATES}")
    String readModel;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--to-earliest", description = "From the first event of each partition")
        boolean earliest;

        @Option(names = "--to-datetime", paramLabel = "ISO-8601", description = "From the first event that occurred at or after, e.g. 2026-11-24T10:00:00Z")
        String datetime;

        @Option(names = "--to-sequence", paramLabel = "N", description = "From the first event of each partition with this sequence or a later one")
        Long sequence;

        @Option(names = "--rebuild", description = "Empty the read model (tables, positions, parked events), then from the earliest offsets")
        boolean rebuild;

        @Option(names = "--shadow", description = {"Rebuild it beside the live one, which keeps serving and projecting: into copies of its "
                + "tables in schema readmodel_shadow, from the earliest offsets, under group <group>-shadow; then compare the two, "
                + "table by table, and drop the copies (or swap them in, with --swap)"})
        boolean shadow;
    }

    @Option(names = "--swap", description = {"With --shadow: once the shadow has caught up, wait (up to --wait) for the live projector's "
            + "instances to stop, then put the shadow's rows in place in one transaction and give the live group the shadow's offsets"})
    boolean swap;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "0s",
            description = "How long to wait for the group's members to leave before refusing, e.g. 2m (default: refuse at once)")
    String wait;

    @Option(names = "--no-run", description = "Only rewind; the projector's own instances apply the events when started")
    boolean noRun;

    /**
     * A replay's stream threads unless {@code projector-threads} says otherwise: a replay has a backlog to
     * apply, and while one thread waits for the database, the other reads and folds the next events.
     */
    private static final int REPLAY_STREAM_THREADS = 2;

    @Override
    public Integer call() throws Exception {
        var flags = options.flags();
        flags.put("replay-wait", wait);
        Settings settings = Settings.fromEnvironment(flags);
        ProjectorConfig config = ProjectorConfig.from(readModel, settings, System.getenv());
        if (settings.optional(ProjectorConfig.STREAM_THREADS).isEmpty()) {
            config = config.withStreamThreads(REPLAY_STREAM_THREADS);
        }
        Duration waitFor = settings.duration("replay-wait", Duration.ZERO);
        Instant datetime = parseDatetime(settings);
        if (swap && !target.shadow) {
            settings.problem("--swap is for a --shadow build");
        }
        settings.validate();
        if (target.shadow) {
            return new ShadowReplay(config, waitFor, swap).call();
        }

        try (ProjectorGroup group = new ProjectorGroup(config)) {
            if (!awaitEmpty(group, waitFor)) {
                System.err.println("replay: " + group.activeMembersMessage(group.members())
                        + (waitFor.isZero() ? ", or pass --wait to wait for them to leave" : " (waited " + wait + ")"));
                return 1;
            }
            Map<TopicPartition, Long> before = group.committedOffsets();
            Map<TopicPartition, Long> to = target.datetime != null ? group.offsetsAt(datetime)
                    : target.sequence != null ? group.offsetsAtSequence(target.sequence)
                    : group.earliestOffsets();
            Map<TopicPartition, Long> end = group.endOffsets();
            // Kafka refuses the rewind while the group has members, so it goes first
            group.resetOffsets(to);
            if (target.rebuild) {
                try (HikariDataSource dataSource = config.database().pool("replay", 2)) {
                    Rebuild.clear(config.projection(), dataSource);
                }
                System.out.println("emptied read model " + readModel + ": " + config.projection().tables().stream()
                        .map(table -> table.name()).toList() + " and its positions and parked events");
                // a projector that joined between the rewind and the emptying would have moved on from there
                if (!group.members().isEmpty() || !group.committedOffsets().equals(to)) {
                    System.err.println("replay: a projector of group " + group.groupId() + " started during the rebuild; "
                            + "the read model may be partial. Stop every projector of " + readModel + " and run the rebuild again.");
                    return 1;
                }
            }
            long total = 0;
            for (Map.Entry<TopicPartition, Long> partition : to.entrySet().stream()
                    .sorted(Map.Entry.comparingByKey(Comparator.comparing(TopicPartition::toString))).toList()) {
                long events = end.get(partition.getKey()) - partition.getValue();
                total += events;
                System.out.printf("rewound %s %s: offset %s -> %d (%,d events to apply)%n", group.groupId(), partition.getKey(),
                        before.getOrDefault(partition.getKey(), null) == null ? "none" : before.get(partition.getKey()),
                        partition.getValue(), events);
            }
            if (noRun) {
                System.out.printf("%,d events to apply: start the projector (bin/pipeline projector %s) and follow it with bin/pipeline status%n",
                        total, readModel);
                return 0;
            }
            return run(config, group, end, total);
        }
    }

    private int run(ProjectorConfig config, ProjectorGroup group, Map<TopicPartition, Long> end, long total) throws InterruptedException {
        Monitoring monitoring = new Monitoring("replay");
        ProjectorApp projector = ProjectorApp.start(config, monitoring);
        Instant started = Instant.now();
        try {
            if (!follow(projector, group, end, total, "replay: the projector stopped: %s")) {
                return 1;
            }
            System.out.printf("replayed %s in %.1f s: %,d applied, %,d already applied, %,d parked%n", readModel,
                    Duration.between(started, Instant.now()).toMillis() / 1000.0, projector.metrics().applied(),
                    projector.metrics().alreadyApplied(), projector.metrics().parkedCount());
            return 0;
        } finally {
            projector.close();
            monitoring.close();
        }
    }

    /**
     * Follows a projector until its group has committed {@code end}, with a progress bar of {@code total}
     * events (no bar when negative); false, saying why with {@code stopped} (a format of the error), when it stopped.
     */
    static boolean follow(ProjectorApp projector, ProjectorGroup group, Map<TopicPartition, Long> end, long total, String stopped)
            throws InterruptedException {
        ProgressBar bar = total >= 0 ? new ProgressBar(total, System.err, System.console() != null) : null;
        while (!caughtUp(group, end)) {
            if (projector.failure().isDone()) {
                System.err.println();
                System.err.println(String.format(stopped, projector.failure().join().getMessage()));
                return false;
            }
            if (bar != null) {
                bar.update(projector.metrics().handled());
            }
            Thread.sleep(250);
        }
        if (bar != null) {
            bar.finish(projector.metrics().handled());
        }
        return true;
    }

    static boolean caughtUp(ProjectorGroup group, Map<TopicPartition, Long> end) {
        Map<TopicPartition, Long> committed = group.committedOffsets();
        return end.entrySet().stream().allMatch(partition -> partition.getValue() == 0
                || committed.getOrDefault(partition.getKey(), -1L) >= partition.getValue());
    }

    static boolean awaitEmpty(ProjectorGroup group, Duration wait) throws InterruptedException {
        return Retry.until(wait, Duration.ofSeconds(1), () -> group.members().isEmpty());
    }

    private Instant parseDatetime(Settings settings) {
        if (target == null || target.datetime == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(target.datetime).toInstant();
        } catch (DateTimeParseException e) {
            settings.problem("--to-datetime is '" + target.datetime + "', not an ISO-8601 time such as 2026-11-24T10:00:00Z");
            return null;
        }
    }
}

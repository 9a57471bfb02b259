package dev.projections.pipelinecli;

import com.zaxxer.hikari.HikariDataSource;
import dev.projections.monitoring.Monitoring;
import dev.projections.projectorstreams.ProjectorApp;
import dev.projections.projectorstreams.ProjectorConfig;
import dev.projections.projectorstreams.operations.ProjectorGroup;
import dev.projections.projectorstreams.operations.ShadowBuild;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code replay <read-model> --shadow [--swap]}: the read model rebuilt beside the live one, compared with
 * it, and dropped or swapped in. Readers of the live read model see its rows all along, then the shadow's
 * from the swap's commit on: never an empty or a partial read model.
 */
final class ShadowReplay {

    private static final String STOPPED = "replay: the shadow's projector stopped: %s; the shadow is dropped, the live read model is as it was";

    private final ProjectorConfig live;
    private final Duration waitFor;
    private final boolean swap;

    ShadowReplay(ProjectorConfig live, Duration waitFor, boolean swap) {
        this.live = live;
        this.waitFor = waitFor;
        this.swap = swap;
    }

    int call() throws Exception {
        String readModel = live.projection().name();
        try (HikariDataSource dataSource = live.database().pool("replay-shadow", 2);
                ProjectorGroup liveGroup = new ProjectorGroup(live)) {
            ShadowBuild build = new ShadowBuild(live.projection(), dataSource);
            ProjectorConfig shadow = live.withProjection(build.projection());
            int version = live.projection().version();
            int liveVersion = build.liveVersion().orElse(version);
            if (liveVersion > version) {
                System.err.println("replay: read model " + readModel + " is at version " + liveVersion + ", and this build projects version "
                        + version + ": run a build that projects version " + liveVersion + " or later");
                return 1;
            }
            try (ProjectorGroup shadowGroup = new ProjectorGroup(shadow)) {
                if (!shadowGroup.members().isEmpty()) {
                    System.err.println("replay: a shadow build of " + readModel + " runs already: "
                            + shadowGroup.activeMembersMessage(shadowGroup.members()));
                    return 1;
                }
                build.prepare();
                Map<TopicPartition, Long> earliest = shadowGroup.earliestOffsets();
                Map<TopicPartition, Long> end = shadowGroup.endOffsets();
                shadowGroup.resetOffsets(earliest);
                long total = end.entrySet().stream().mapToLong(e -> e.getValue() - earliest.getOrDefault(e.getKey(), 0L)).sum();
                System.out.printf("building %s version %d beside the live one (version %d), into %s, from the earliest offsets under group"
                        + " %s: %,d events; the live read model keeps serving and projecting%n", readModel, version, liveVersion,
                        build.projection().tables().stream().map(table -> table.name()).toList(), shadowGroup.groupId(), total);
                Monitoring monitoring = new Monitoring("replay");
                ProjectorApp projector = ProjectorApp.start(shadow, monitoring);
                boolean swapped = false;
                try {
                    Instant started = Instant.now();
                    if (!ReplayCommand.follow(projector, shadowGroup, end, total, STOPPED)) {
                        return 1;
                    }
                    System.out.printf("the shadow caught up in %.1f s; compared with the live read model:%n",
                            Duration.between(started, Instant.now()).toMillis() / 1000.0);
                    List<ShadowBuild.TableDiff> diffs = build.compare();
                    for (ShadowBuild.TableDiff diff : diffs) {
                        System.out.println("  " + diff);
                        diff.sampleRows().forEach(row -> System.out.println("    " + (row.length() > 300 ? row.substring(0, 297) + "..." : row)));
                    }
                    long differing = diffs.stream().mapToLong(diff -> diff.onlyLive() + diff.onlyShadow()).sum();
                    System.out.println(differing == 0 ? "the shadow equals the live read model"
                            : String.format("the shadow differs from the live read model in %,d rows (events in flight count too)", differing));
                    if (!swap) {
                        System.out.println("shadow dropped: run with --swap to put it in place");
                        return 0;
                    }
                    System.out.printf("stop every instance of the live projector of %s (group %s) to swap; waiting up to %s%n", readModel,
                            liveGroup.groupId(), waitFor);
                    if (!ReplayCommand.awaitEmpty(liveGroup, waitFor)) {
                        System.err.println("replay: " + liveGroup.activeMembersMessage(liveGroup.members()) + "; the shadow is dropped, "
                                + "the live read model is as it was");
                        return 1;
                    }
                    // what arrived while the live instances were stopping
                    if (!ReplayCommand.follow(projector, shadowGroup, shadowGroup.endOffsets(), -1, STOPPED)) {
                        return 1;
                    }
                    projector.close();
                    Map<TopicPartition, Long> offsets = new HashMap<>(earliest);
                    offsets.putAll(shadowGroup.committedOffsets());
                    // the rows first: should the offsets then fail to move, the live group reads again from where its old
                    // instances stopped, which is behind the shadow, and the moved positions make those events no-ops
                    build.swap();
                    swapped = true;
                    try {
                        liveGroup.resetOffsets(offsets);
                    } catch (IllegalStateException e) {
                        System.err.println("replay: the live group keeps its offsets (" + e.getMessage() + "); its instances read again "
                                + "what the shadow applied, which changes nothing");
                    }
                    retire(shadowGroup);
                    System.out.printf("swapped: %s holds the rebuilt rows, at version %d; group %s continues from where the shadow was."
                            + " Start this build's projector instances (bin/pipeline projector %s)%n", readModel, version, liveGroup.groupId(),
                            readModel);
                    return 0;
                } finally {
                    projector.close();
                    monitoring.close();
                    if (!swapped) {
                        build.drop();
                        retire(shadowGroup);
                    }
                }
            }
        }
    }

    /** The shadow's group is of no more use; one Kafka will not delete yet is only a name in its lists. */
    private static void retire(ProjectorGroup group) {
        try {
            group.delete();
        } catch (IllegalStateException e) {
            System.err.println("replay: consumer group " + group.groupId() + " was not deleted (" + e.getMessage() + "); delete it later with "
                    + "kafka-consumer-groups --delete --group " + group.groupId());
        }
    }
}

package dev.projections.pipelinecli;

import com.zaxxer.hikari.HikariDataSource;
import dev.projections.projectorstreams.Projections;
import dev.projections.projectorstreams.operations.ParkedEvents;
import dev.projections.projectorstreams.projection.Projection;
import dev.projections.settings.DatabaseSettings;
import dev.projections.settings.Settings;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "parked", mixinStandardHelpOptions = true,
        description = {"List, retry or discard the events a read model could not apply.",
            "  list     each parked aggregate with its first parked event and why",
            "  retry    apply them again, once the cause is fixed (a projection fix, a read-model schema fix)",
            "  discard  drop the refused one, keeping an audit row (who, when, why), and apply the later ones"},
        subcommands = {ParkedCommand.ListCommand.class, ParkedCommand.RetryCommand.class, ParkedCommand.DiscardCommand.class})
final class ParkedCommand {

    /** What every parked subcommand selects: a read model (or all) and an aggregate (or all). */
    static final class Selection {

        @Mixin
        SettingOptions options;

        @Parameters(index = "0", arity = "0..1", paramLabel = "READ-MODEL", completionCandidates = ReadModelNames.class,
                description = "One read model (${COMPLETION-CANDIDATES}); all when omitted")
        String readModel;

        @Option(names = "--aggregate", paramLabel = "ID", description = "One aggregate; all parked ones when omitted")
        UUID aggregate;

        interface Action {
            /** @return whether the read model's selected aggregates are all current */
            boolean run(Projection projection, ParkedEvents parked) throws Exception;
        }

        int forEach(Action action) throws Exception {
            Settings settings = Settings.fromEnvironment(options.flags());
            DatabaseSettings database = DatabaseSettings.from(settings);
            List<Projection> projections = Projections.select(readModel, settings);
            settings.validate();
            boolean current = true;
            try (HikariDataSource dataSource = database.pool("parked", 2)) {
                for (Projection projection : projections) {
                    current &= action.run(projection, new ParkedEvents(projection, dataSource));
                }
            }
            return current ? 0 : 1;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Each parked aggregate: its parked events, the first of them, since when and why. Exits 1 when there is one.")
    static final class ListCommand implements Callable<Integer> {

        @Mixin
        Selection selection;

        @Override
        public Integer call() throws Exception {
            int[] totals = new int[2];
            int exit = selection.forEach((projection, parked) -> {
                List<ParkedEvents.ParkedAggregate> aggregates = parked.list(selection.aggregate);
                for (ParkedEvents.ParkedAggregate aggregate : aggregates) {
                    System.out.printf("%s %s: %d event(s) parked since %s; first %s at %s-%d@%d: %s%n", projection.name(),
                            aggregate.aggregateId() == null ? "(records with no aggregate)" : aggregate.aggregateId(), aggregate.events(),
                            aggregate.since(), aggregate.firstEventType() == null ? "a record that is not an event"
                                    : aggregate.firstEventType() + " v" + aggregate.firstVersion() + " (sequence " + aggregate.firstSequence() + ")",
                            aggregate.firstOrigin().topic(), aggregate.firstOrigin().partition(), aggregate.firstOrigin().offset(),
                            aggregate.firstError());
                    totals[0]++;
                    totals[1] += aggregate.events();
                }
                return aggregates.isEmpty();
            });
            System.out.printf("parked: %d aggregate(s), %d event(s)%n", totals[0], totals[1]);
            return exit;
        }
    }

    @Command(name = "retry", mixinStandardHelpOptions = true,
            description = {"Apply each parked aggregate's events again, as eventstore.events holds them, in order, one transaction",
                "per aggregate; safe while projectors run. An event refused again is parked again with its new error. Exits 1 then."})
    static final class RetryCommand implements Callable<Integer> {

        @Mixin
        Selection selection;

        @Override
        public Integer call() throws Exception {
            int[] totals = new int[2];
            int exit = selection.forEach((projection, parked) -> {
                boolean current = true;
                for (ParkedEvents.Retried retried : parked.retry(selection.aggregate)) {
                    totals[0]++;
                    if (retried.error() == null) {
                        totals[1]++;
                        System.out.printf("%s %s: %d event(s) applied, current at v%d%n", projection.name(), retried.aggregateId(),
                                retried.applied(), retried.version());
                    } else {
                        current = false;
                        System.out.printf("%s %s: %d event(s) applied, parked again after v%d: %s%n", projection.name(),
                                retried.aggregateId(), retried.applied(), retried.version(), retried.error());
                    }
                }
                return current;
            });
            System.out.printf("retry: %d of %d aggregate(s) current%n", totals[1], totals[0]);
            return exit;
        }
    }

    @Command(name = "discard", mixinStandardHelpOptions = true,
            description = {"Drop the event each aggregate's projection refused, then apply its later events, in order.",
                "The dropped event goes to readmodel.discarded_events with who, when and why. The later events parked behind it",
                "are applied as retry applies them; one refused again is parked again with its error (exit 1). --sequence names",
                "the event to drop; --with-later-events drops every parked event of the aggregate instead."})
    static final class DiscardCommand implements Callable<Integer> {

        @Mixin
        Selection selection;

        @Option(names = "--reason", required = true, description = "Why, kept in the audit row")
        String reason;

        @Option(names = "--by", description = "Who, kept in the audit row; default the operating-system user")
        String by = System.getProperty("user.name");

        @Option(names = "--all", description = "Every parked aggregate of the read model(s); required when no --aggregate is given")
        boolean all;

        @Option(names = "--sequence", paramLabel = "N", description = "The one parked event to drop, by its sequence")
        Long sequence;

        @Option(names = "--with-later-events",
                description = "Drop every parked event of each aggregate, the valid ones parked behind the refused one too")
        boolean withLaterEvents;

        @Override
        public Integer call() throws Exception {
            if (selection.aggregate == null && sequence == null && !all) {
                System.err.println("parked discard: name an aggregate (--aggregate ID), an event (--sequence N) or say --all");
                return 2;
            }
            if (sequence != null && withLaterEvents) {
                System.err.println("parked discard: --sequence drops one event; --with-later-events drops them all: give one of them");
                return 2;
            }
            if (reason.isBlank()) {
                System.err.println("parked discard: --reason must say why");
                return 2;
            }
            ParkedEvents.Drop drop = sequence != null ? ParkedEvents.Drop.SEQUENCE
                    : withLaterEvents ? ParkedEvents.Drop.WITH_LATER_EVENTS : ParkedEvents.Drop.FIRST;
            int[] totals = new int[2];
            int exit = selection.forEach((projection, parked) -> {
                boolean current = true;
                for (ParkedEvents.Discarded discarded : parked.discard(selection.aggregate, drop, sequence, by, reason)) {
                    totals[0]++;
                    totals[1] += discarded.dropped().size();
                    String what = projection.name() + " " + (discarded.aggregateId() == null ? "(records with no aggregate)"
                            : discarded.aggregateId()) + ": discarded " + String.join(", ", discarded.dropped());
                    if (discarded.aggregateId() == null) {
                        System.out.println(what);
                    } else if (discarded.error() == null) {
                        System.out.printf("%s; %d later event(s) applied, current at v%d%n", what, discarded.applied(), discarded.version());
                    } else {
                        current = false;
                        System.out.printf("%s; %d later event(s) applied, parked again after v%d: %s%n", what, discarded.applied(),
                                discarded.version(), discarded.error());
                    }
                }
                return current;
            });
            System.out.printf("discard: %d event(s) of %d aggregate(s) moved to readmodel.discarded_events%n", totals[1], totals[0]);
            return exit;
        }
    }
}

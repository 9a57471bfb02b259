package dev.projections.pipelinecli;

import com.zaxxer.hikari.HikariDataSource;
import dev.projections.projectorstreams.Projections;
import dev.projections.projectorstreams.operations.ReadModelVerifier;
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

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check read models against eventstore.events.",
            "Each aggregate's rows as its events make them, no rows for deleted aggregates, no references into other read models",
            "that lead nowhere. Prints every difference and exits 1 when there is one. Run it when the projectors have caught up;",
            "it applies the events into temporary tables, so it locks no row of the read model and projectors go on meanwhile."})
final class VerifyCommand implements Callable<Integer> {

    @Mixin
    SettingOptions options;

    @Parameters(index = "0", arity = "0..1", paramLabel = "READ-MODEL", completionCandidates = ReadModelNames.class,
            description = "One read model (${COMPLETION-CANDIDATES}); all when omitted")
    String readModel;

    @Option(names = "--show", defaultValue = "50", description = "How many differences to list per read model, default ${DEFAULT-VALUE}")
    int shown;

    @Option(names = "--aggregate", paramLabel = "ID", description = "Only this aggregate (repeatable); references are then not checked")
    List<UUID> aggregates;

    @Override
    public Integer call() throws Exception {
        Settings settings = Settings.fromEnvironment(options.flags());
        DatabaseSettings database = DatabaseSettings.from(settings);
        List<Projection> projections = Projections.select(readModel, settings);
        settings.validate();
        int differences = 0;
        try (HikariDataSource dataSource = database.pool("verify", 2)) {
            for (Projection projection : projections) {
                ReadModelVerifier verifier = new ReadModelVerifier(projection, dataSource);
                ReadModelVerifier.Report report = aggregates == null ? verifier.verify(progress()) : verifier.verify(aggregates);
                report.differences().stream().limit(shown).forEach(System.out::println);
                if (report.differences().size() > shown) {
                    System.out.printf("... and %d more (--show to list more)%n", report.differences().size() - shown);
                }
                System.out.printf("%s: %,d aggregates checked, %d difference(s)%n", report.readModel(), report.aggregates(),
                        report.differences().size());
                differences += report.differences().size();
            }
        }
        System.out.println(differences == 0 ? "verify: every read model matches the event store"
                : "verify: " + differences + " difference(s)");
        return differences == 0 ? 0 : 1;
    }

    /** A progress bar on standard error, from the first batch on: a read model of millions of aggregates takes minutes. */
    private static ReadModelVerifier.Progress progress() {
        ProgressBar[] bar = new ProgressBar[1];
        return (checked, of) -> {
            if (bar[0] == null) {
                bar[0] = new ProgressBar(of, System.err, System.console() != null);
            }
            if (checked < of) {
                bar[0].update(checked);
            } else {
                bar[0].finish(checked);
            }
        };
    }
}

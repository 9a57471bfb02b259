package dev.projections.pipelinecli;

import dev.projections.cdcrelay.CdcRelayConfig;
import dev.projections.cdcrelay.Republisher;
import dev.projections.settings.Settings;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "republish", mixinStandardHelpOptions = true,
        description = {"Publish the event store's events to their topics again, for topics lost or damaged.",
            "The same envelope, key and headers as the relay's, in sequence order, from --from-sequence or the start. Safe while",
            "the relays run: they stand by while it publishes, then go on from their slot. Then rewind or rebuild the projectors",
            "(bin/pipeline replay) and tell the topics' other consumers. Takes the relay's settings."})
final class RepublishCommand implements Callable<Integer> {

    @Mixin
    SettingOptions options;

    @Option(names = "--from-sequence", paramLabel = "N", defaultValue = "1",
            description = "The first event's sequence, default ${DEFAULT-VALUE} (every event)")
    long from;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "PT1M",
            description = "How long the active relay may take to stand by (ISO-8601), default 1 minute")
    Duration wait;

    @Override
    public Integer call() throws Exception {
        Settings settings = Settings.fromEnvironment(options.flags());
        CdcRelayConfig config = CdcRelayConfig.from(settings, System.getenv());
        if (from < 1) {
            settings.problem("--from-sequence is " + from + ", must be 1 or more");
        }
        settings.validate();
        Republisher republisher = new Republisher(config);
        long total = republisher.count(from);
        System.out.printf("republishing %,d events from sequence %d to %s; the relays on slot %s stand by meanwhile%n", total, from,
                config.kafka().bootstrapServers(), config.slotName());
        ProgressBar bar = new ProgressBar(total, System.err, System.console() != null);
        Instant started = Instant.now();
        Republisher.Published published = republisher.republish(from, wait, bar::update);
        bar.finish(published.events());
        System.out.printf("republished %,d events (sequences %d to %d) in %.1f s; the relays go on from their slot%n", published.events(),
                published.firstSequence(), published.lastSequence(), Duration.between(started, Instant.now()).toMillis() / 1000.0);
        return 0;
    }
}

package dev.projections.pipelinecli;

import dev.projections.cdcrelay.CdcRelayConfig;
import dev.projections.cdcrelay.Resharding;
import dev.projections.settings.Settings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "reshard", mixinStandardHelpOptions = true, subcommands = {ReshardCommand.Prepare.class, ReshardCommand.Finish.class},
        description = {"Change how many shards the relay runs, while events are written: prepare, then restart the relays with the new",
            "relay-shards, then finish. Nothing is lost, and each aggregate's events stay in order (docs/operations.md#resharding-the-relay)."})
final class ReshardCommand {

    /** The layouts, before and after. */
    static final class Layouts {
        @Option(names = "--from", required = true, description = "The shards the relays run now (their relay-shards): 1, 2, 4 or 8")
        int from;

        @Option(names = "--to", required = true, description = "The shards they will run: 1, 2, 4 or 8")
        int to;
    }

    @Command(name = "prepare", mixinStandardHelpOptions = true,
            description = {"Make the new layout's slots, then wait until the running relays have published every event committed before them.",
                "The running relays keep streaming; stop them only once this says so."})
    static final class Prepare implements Callable<Integer> {

        @Mixin
        SettingOptions options;

        @Mixin
        Layouts layouts;

        @Option(names = "--timeout", defaultValue = "PT2M", description = "How long the running relays may take (ISO-8601), default 2 minutes")
        Duration timeout;

        @Override
        public Integer call() throws Exception {
            Resharding resharding = resharding(options);
            Resharding.Prepared prepared = resharding.prepare(layouts.from, layouts.to, timeout);
            System.out.println("prepared: every event committed before " + prepared.point() + " is published, and slots "
                    + String.join(", ", prepared.slots().keySet()) + " hold every event after it");
            System.out.println("next: stop every relay, start them again with relay-shards " + layouts.to + ", then run"
                    + " bin/pipeline reshard finish --from " + layouts.from + " --to " + layouts.to);
            return 0;
        }
    }

    @Command(name = "finish", mixinStandardHelpOptions = true,
            description = "Drop the old layout's slots, once relays stream from every slot of the new one and from none of the old.")
    static final class Finish implements Callable<Integer> {

        @Mixin
        SettingOptions options;

        @Mixin
        Layouts layouts;

        @Override
        public Integer call() throws Exception {
            List<String> dropped = resharding(options).finish(layouts.from, layouts.to);
            System.out.println("finished: the relay runs " + layouts.to + " shard(s); dropped " + (dropped.isEmpty() ? "no slot" : String.join(", ", dropped)));
            return 0;
        }
    }

    private static Resharding resharding(SettingOptions options) {
        Settings settings = Settings.fromEnvironment(options.flags());
        CdcRelayConfig config = CdcRelayConfig.from(settings, System.getenv());
        settings.validateAllRead();
        return new Resharding(config, System.out::println);
    }
}

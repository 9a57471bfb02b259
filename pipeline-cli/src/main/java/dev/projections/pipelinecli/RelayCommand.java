package dev.projections.pipelinecli;

import dev.projections.cdcrelay.CdcRelayApp;
import dev.projections.cdcrelay.CdcRelayConfig;
import dev.projections.settings.Settings;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "relay", mixinStandardHelpOptions = true,
        description = "Relay eventstore.events from the PostgreSQL WAL to the Kafka topics events.<aggregate_type>."
                + " A second relay on the same slot stands by and takes over when the first stops.")
final class RelayCommand implements Callable<Integer> {

    @Mixin
    SettingOptions options;

    @Override
    public Integer call() throws Exception {
        Settings settings = Settings.fromEnvironment(options.flags());
        CdcRelayConfig config = CdcRelayConfig.from(settings, System.getenv());
        settings.validate();
        CdcRelayApp app = CdcRelayApp.start(config);
        System.out.println("relay started: slot=" + config.slotName() + " kafka=" + config.kafka().bootstrapServers()
                + " db=" + config.database().redactedUrl());
        return Lifecycle.runUntilStopped(app, new CompletableFuture<>());
    }
}

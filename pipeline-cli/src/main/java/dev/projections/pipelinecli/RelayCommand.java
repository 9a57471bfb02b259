package dev.projections.pipelinecli;

import dev.projections.cdcrelay.RelayShards;
import dev.projections.cdcrelay.CdcRelayApp;
import dev.projections.cdcrelay.CdcRelayConfig;
import dev.projections.monitoring.Monitoring;
import dev.projections.monitoring.MonitoringServer;
import dev.projections.settings.Settings;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "relay", mixinStandardHelpOptions = true,
        description = "Relay eventstore.events from the PostgreSQL WAL to the Kafka topics events.<aggregate_type>."
                + " A second relay on the same slot stands by and takes over when the first stops."
                + " With relay-shards N, it relays the shards of relay-shard-ids (all by default), each from a slot of its own.")
final class RelayCommand implements Callable<Integer> {

    @Mixin
    SettingOptions options;

    @Option(names = "--metrics-port", description = "Port of /metrics and /health, default 9400 (PIPELINE_METRICS_PORT)")
    String metricsPort;

    @Override
    public Integer call() throws Exception {
        var flags = options.flags();
        flags.put(MonitoringOptions.PORT, metricsPort);
        Settings settings = Settings.fromEnvironment(flags);
        CdcRelayConfig config = CdcRelayConfig.from(settings, System.getenv());
        MonitoringOptions endpoint = MonitoringOptions.from(settings, 9400);
        settings.validateAllRead();
        Monitoring monitoring = new Monitoring("relay");
        MonitoringServer server = MonitoringServer.start(monitoring, endpoint.host(), endpoint.port());
        RelayShards app = RelayShards.start(config, monitoring);
        System.out.println("relay started: slot=" + app.relays().stream().map(CdcRelayApp::slotName).collect(Collectors.joining(","))
                + " kafka=" + config.kafka().bootstrapServers()
                + " db=" + config.database().redactedUrl() + " metrics=http://localhost:" + server.port() + "/metrics");
        return Lifecycle.runUntilStopped(new CompletableFuture<>(), app, server, monitoring::close);
    }
}

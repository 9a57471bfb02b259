package dev.projections.pipelinecli;

import dev.projections.eventwriter.EventWriterApp;
import dev.projections.eventwriter.EventWriterConfig;
import dev.projections.monitoring.Monitoring;
import dev.projections.monitoring.MonitoringServer;
import dev.projections.settings.Settings;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "writer", mixinStandardHelpOptions = true,
        description = "Serve the event writer over HTTPS, to callers with a bearer token or an API key: POST/GET /aggregates/{type}/{id}/events.")
final class WriterCommand implements Callable<Integer> {

    @Mixin
    SettingOptions options;

    @Option(names = "--http-port", description = "HTTP port, default 8080 (PIPELINE_HTTP_PORT)")
    String httpPort;

    @Option(names = "--metrics-port", description = "Port of /metrics and /health, default 9402 (PIPELINE_METRICS_PORT)")
    String metricsPort;

    @Override
    public Integer call() throws Exception {
        var flags = options.flags();
        flags.put(EventWriterConfig.HTTP_PORT, httpPort);
        flags.put(MonitoringOptions.PORT, metricsPort);
        Settings settings = Settings.fromEnvironment(flags);
        EventWriterConfig config = EventWriterConfig.from(settings);
        MonitoringOptions endpoint = MonitoringOptions.from(settings, 9402);
        settings.validateAllRead();
        Monitoring monitoring = new Monitoring("writer");
        MonitoringServer server = MonitoringServer.start(monitoring, endpoint.host(), endpoint.port());
        EventWriterApp app = EventWriterApp.start(config, monitoring);
        System.out.println("writer ready: " + config.scheme() + "://localhost:" + app.httpPort() + " ("
                + (config.credentials().required() ? "credentials required" : "open to anyone who reaches it") + ") db="
                + config.database().redactedUrl() + " metrics=http://localhost:" + server.port() + "/metrics");
        return Lifecycle.runUntilStopped(new CompletableFuture<>(), app, server, monitoring::close);
    }
}

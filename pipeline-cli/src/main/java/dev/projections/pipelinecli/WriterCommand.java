package dev.projections.pipelinecli;

import dev.projections.eventwriter.EventWriterApp;
import dev.projections.eventwriter.EventWriterConfig;
import dev.projections.monitoring.Monitoring;
import dev.projections.settings.Settings;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "writer", mixinStandardHelpOptions = true,
        description = "Serve the event writer over HTTP: POST/GET /aggregates/{type}/{id}/events.")
final class WriterCommand implements Callable<Integer> {

    @Mixin
    SettingOptions options;

    @Option(names = "--http-port", description = "HTTP port, default 8080 (PIPELINE_HTTP_PORT)")
    String httpPort;

    @Override
    public Integer call() throws Exception {
        var flags = options.flags();
        flags.put(EventWriterConfig.HTTP_PORT, httpPort);
        Settings settings = Settings.fromEnvironment(flags);
        EventWriterConfig config = EventWriterConfig.from(settings);
        settings.validateAllRead();
        Monitoring monitoring = new Monitoring("writer");
        EventWriterApp app = EventWriterApp.start(config, monitoring);
        System.out.println("writer ready: http=http://localhost:" + app.httpPort() + " (also /metrics, /health) db="
                + config.database().redactedUrl());
        return Lifecycle.runUntilStopped(new CompletableFuture<>(), app, monitoring::close);
    }
}

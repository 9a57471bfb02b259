package dev.projections.pipelinecli;

import dev.projections.monitoring.Monitoring;
import dev.projections.monitoring.MonitoringServer;
import dev.projections.projectorstreams.ProjectorApp;
import dev.projections.projectorstreams.ProjectorConfig;
import dev.projections.settings.Settings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "projector", mixinStandardHelpOptions = true,
        description = "Run the projector of one read model (a Kafka Streams application); start more instances to scale.")
final class ProjectorCommand implements Callable<Integer> {

    @Mixin
    SettingOptions options;

    @Parameters(index = "0", paramLabel = "READ-MODEL", completionCandidates = ReadModelNames.class,
            description = "The read model, one of: ${COMPLETION-CANDIDATES}")
    String readModel;

    @Option(names = "--metrics-port", description = "Port of /metrics and /health, default 9401 (PIPELINE_METRICS_PORT)")
    String metricsPort;

    @Override
    public Integer call() throws Exception {
        var flags = options.flags();
        flags.put(MonitoringOptions.PORT, metricsPort);
        Settings settings = Settings.fromEnvironment(flags);
        ProjectorConfig config = ProjectorConfig.from(readModel, settings, System.getenv());
        MonitoringOptions endpoint = MonitoringOptions.from(settings, 9401);
        settings.validateAllRead();
        Monitoring monitoring = new Monitoring("projector");
        MonitoringServer server = MonitoringServer.start(monitoring, endpoint.host(), endpoint.port());
        ProjectorApp app = ProjectorApp.start(config, monitoring);
        System.out.println("projector " + readModel + " started: application.id=" + config.applicationId()
                + " kafka=" + config.kafka().bootstrapServers() + " db=" + config.database().redactedUrl()
                + " metrics=http://localhost:" + server.port() + "/metrics");
        return Lifecycle.runUntilStopped(app.failure(), app, server, monitoring::close);
    }
}

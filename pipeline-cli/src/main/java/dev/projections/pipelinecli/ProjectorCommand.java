package dev.projections.pipelinecli;

import dev.projections.projectorstreams.ProjectorApp;
import dev.projections.projectorstreams.ProjectorConfig;
import dev.projections.settings.Settings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "projector", mixinStandardHelpOptions = true,
        description = "Run the projector of one read model (a Kafka Streams application); start more instances to scale.")
final class ProjectorCommand implements Callable<Integer> {

    @Mixin
    SettingOptions options;

    @Parameters(index = "0", paramLabel = "READ-MODEL", description = "The read model, e.g. document")
    String readModel;

    @Override
    public Integer call() throws Exception {
        Settings settings = Settings.fromEnvironment(options.flags());
        ProjectorConfig config = ProjectorConfig.from(readModel, settings, System.getenv());
        settings.validate();
        ProjectorApp app = ProjectorApp.start(config);
        System.out.println("projector " + readModel + " started: application.id=" + config.applicationId()
                + " kafka=" + config.kafka().bootstrapServers() + " db=" + config.database().redactedUrl());
        return Lifecycle.runUntilStopped(app, app.failure());
    }
}

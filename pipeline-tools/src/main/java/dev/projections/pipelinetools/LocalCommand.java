package dev.projections.pipelinetools;

import dev.projections.pipelinecli.Lifecycle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "local", mixinStandardHelpOptions = true,
        description = "Run everything in one process on embedded PostgreSQL and an embedded Kafka broker, until Ctrl-C.")
final class LocalCommand implements Callable<Integer> {

    @Option(names = "--pg-port", defaultValue = "15432", description = "PostgreSQL port (0 for any free one), default ${DEFAULT-VALUE}")
    int postgresPort;

    @Option(names = "--kafka-port", defaultValue = "19092", description = "Kafka port (0 for any free one), default ${DEFAULT-VALUE}")
    int kafkaPort;

    @Option(names = "--http-port", defaultValue = "8080", description = "Writer HTTP port (0 for any free one), default ${DEFAULT-VALUE}")
    int httpPort;

    @Option(names = "--metrics-port", defaultValue = "8081",
            description = "Port of /metrics and /health (0 for any free one), default ${DEFAULT-VALUE}")
    int metricsPort;

    @Option(names = "--data-dir", defaultValue = "pipeline-data",
            description = "Where PostgreSQL, Kafka and Streams keep their data between runs, default ${DEFAULT-VALUE}")
    Path dataDirectory;

    @Option(names = "--fresh", description = "Delete the data directory first")
    boolean fresh;

    @Option(names = "--services-only",
            description = "Start only PostgreSQL (migrated) and Kafka, to run the components as separate processes against them")
    boolean servicesOnly;

    @Option(names = "--demo", description = "Also write sample documents through the HTTP writer and print progress")
    boolean demo;

    @Option(names = "--demo-documents", defaultValue = "200", description = "How many documents --demo writes, default ${DEFAULT-VALUE}")
    int demoDocuments;

    @Override
    public Integer call() throws Exception {
        if (fresh) {
            Directories.deleteRecursively(dataDirectory);
        }
        LocalPipeline pipeline = LocalPipeline.start(new LocalPipeline.Setup(postgresPort, kafkaPort, httpPort, metricsPort,
                dataDirectory.toAbsolutePath(), !servicesOnly, System.getenv()));
        try {
            pipeline.awaitReady(Duration.ofMinutes(2));
        } catch (RuntimeException | InterruptedException e) {
            pipeline.close();
            throw e;
        }
        System.out.println(pipeline.readyLine());
        if (!servicesOnly) {
            System.out.println(pipeline.accessLine());
        }
        System.out.println("# to point the other commands (status, verify, replay, parked ...) at it, in another shell:");
        pipeline.exportLines().forEach(System.out::println);
        System.out.flush();
        if (demo && !servicesOnly) {
            Thread demoThread = new Thread(() -> new DemoLoad(pipeline.httpUrl(), pipeline.dataSource(), System.out).run(demoDocuments), "demo");
            demoThread.setDaemon(true);
            demoThread.start();
        }
        return Lifecycle.runUntilStopped(pipeline, new CompletableFuture<>());
    }

}

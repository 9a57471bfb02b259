package dev.projections.pipelinetools;

import dev.projections.embeddedservices.EmbeddedKafka;
import dev.projections.pipelinecli.Lifecycle;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Run a single Kafka broker in KRaft mode, as local mode does, in a process of its own.",
            "From the Kafka jars, for trying things out and for chaos, which restarts it; not for production."})
final class BrokerCommand implements Callable<Integer> {

    @Option(names = "--port", required = true, description = "Client port")
    int port;

    @Option(names = "--data-dir", required = true, description = "Log directory, kept between starts")
    Path dataDirectory;

    @Override
    public Integer call() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(port, dataDirectory);
        System.out.println("broker ready: " + kafka.bootstrapServers());
        return Lifecycle.runUntilStopped(new CompletableFuture<>(), kafka);
    }
}

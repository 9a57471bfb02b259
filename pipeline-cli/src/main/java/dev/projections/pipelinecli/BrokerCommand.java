package dev.projections.pipelinecli;

import dev.projections.embeddedservices.EmbeddedKafka;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "broker", hidden = true, mixinStandardHelpOptions = true,
        description = "A single Kafka broker in KRaft mode from the Kafka jars, as local mode runs it, in a process of its own"
                + " (chaos restarts it); not for production.")
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

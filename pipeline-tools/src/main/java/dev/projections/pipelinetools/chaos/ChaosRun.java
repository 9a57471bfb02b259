package dev.projections.pipelinetools.chaos;

import com.zaxxer.hikari.HikariDataSource;
import dev.projections.cdcrelay.CdcRelayConfig;
import dev.projections.embeddedservices.EmbeddedPostgres;
import dev.projections.eventwriter.EventStore;
import dev.projections.migrations.Migrations;
import dev.projections.pipelinetools.Directories;
import dev.projections.projectorstreams.Projections;
import dev.projections.projectorstreams.ProjectorConfig;
import dev.projections.projectorstreams.projection.Projection;
import dev.projections.settings.DatabaseSettings;
import dev.projections.settings.KafkaSettings;
import dev.projections.settings.Settings;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Faults across the deployment's real processes while events are written: a PostgreSQL server and a
 * Kafka broker process it restarts, two relays and the projectors as {@code bin/pipeline} processes it
 * kills with -9, and writers on hot aggregates with a poison event in a thousand. It then compares every
 * read model with what {@code eventstore.events} makes of it.
 */
public final class ChaosRun {

    /** What a run does. */
    /**
     * @param sessionTimeout the projectors' consumer session timeout; null for the projectors' default
     * @param instanceIds whether each projector process has a {@code projector-instance-id} of its own (static membership)
     */
    /** @param relayShards the relays' {@code relay-shards}; each of the two relay processes runs every shard */
    public record Options(long events, int faults, int writers, int rate, int documentProjectors, Duration sessionTimeout,
            boolean instanceIds, int relayShards, long seed) {
    }

    enum Fault {
        RELAY_KILL("kill -9 of a relay"),
        PROJECTOR_KILL("kill -9 of a projector"),
        BROKER_RESTART("broker kill -9 and restart"),
        POSTGRES_RESTART("PostgreSQL restart");

        final String label;

        Fault(String label) {
            this.label = label;
        }
    }

    private final Options options;
    private final PrintStream out;
    private final Random random;
    private final Map<Fault, List<Double>> recoveries = new EnumMap<>(Fault.class);
    private final List<String> unrecovered = new ArrayList<>();

    public ChaosRun(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
        this.random = new Random(options.seed());
        for (Fault fault : Fault.values()) {
            recoveries.put(fault, new ArrayList<>());
        }
    }

    /**
     * Runs the deployment's processes on a temporary directory, which a clean run leaves nothing of; a failed
     * run keeps it, with the processes' logs.
     *
     * @return 0 when every read model equals its reference and exactly the poison events are parked
     */
    public int run() throws Exception {
        Path directory = Files.createTempDirectory("pipeline-chaos");
        int result = 1;
        try {
            result = run(directory);
            return result;
        } finally {
            if (result == 0) {
                Directories.deleteRecursively(directory);
            } else {
                say("the processes' data and logs are kept in " + directory);
            }
        }
    }

    private int run(Path directory) throws Exception {
        Path logs = Files.createDirectories(directory.resolve("logs"));
        say("processes' logs in " + logs);
        int kafkaPort = freePort();
        EmbeddedPostgres postgres = EmbeddedPostgres.start(0, directory.resolve("postgres"));
        int postgresPort = postgres.port();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(DatabaseSettings.URL, postgres.jdbcUrl());
        settings.put(KafkaSettings.BOOTSTRAP_SERVERS, "127.0.0.1:" + kafkaPort);
        settings.put("metrics-port", "0");
        DatabaseSettings database = DatabaseSettings.from(Settings.of(settings, Map.of()));
        List<Spawned> relays = new ArrayList<>();
        List<Spawned> projectors = new ArrayList<>();
        Spawned broker = new Spawned("broker", Map.of(), logs, "broker", "--port", Integer.toString(kafkaPort), "--data-dir",
                directory.resolve("kafka").toString());
        try (HikariDataSource dataSource = database.pool("chaos", options.writers() + 4)) {
            Migrations.migrate(dataSource);
            broker.start();
            awaitLogged(broker, "broker ready", Duration.ofMinutes(2));
            Map<String, String> relaySettings = new LinkedHashMap<>(settings);
            relaySettings.put(CdcRelayConfig.SHARDS, Integer.toString(options.relayShards()));
            for (int i = 1; i <= 2; i++) {
                relays.add(new Spawned("relay-" + i, relaySettings, logs, "relay"));
            }
            for (Projection projection : Projections.ALL) {
                int instances = projection.name().equals("document") ? options.documentProjectors() : 1;
                for (int i = 1; i <= instances; i++) {
                    Map<String, String> own = new LinkedHashMap<>(settings);
                    own.put(ProjectorConfig.STATE_DIR, directory.resolve("streams-" + projection.name() + "-" + i).toString());
                    if (options.instanceIds()) {
                        // as a StatefulSet names its pods: the same id when the process is started again
                        own.put(ProjectorConfig.INSTANCE_ID, projection.name() + "-" + i);
                    }
                    if (options.sessionTimeout() != null) {
                        // a killed instance's partitions wait this long for it before they move
                        own.put("kafka-client-session-timeout-ms", Long.toString(options.sessionTimeout().toMillis()));
                        own.put("kafka-client-heartbeat-interval-ms", Long.toString(options.sessionTimeout().toMillis() / 3));
                    }
                    projectors.add(new Spawned("projector-" + projection.name() + "-" + i, own, logs, "projector", projection.name()));
                }
            }
            for (Spawned process : concat(relays, projectors)) {
                process.start();
            }
            say("started PostgreSQL, a broker, " + relays.size() + " relays and " + projectors.size() + " projectors");

            EventStore store = new EventStore(dataSource);
            ChaosWriters writers = new ChaosWriters(store, dataSource, options.rate());
            ChaosProbe probe = new ChaosProbe(store, dataSource, options.relayShards(), out);
            writers.start(options.writers(), options.seed());
            probe.probe("before the first fault");

            List<Fault> plan = plan();
            for (int i = 0; i < plan.size(); i++) {
                Thread.sleep(1_000 + random.nextInt(3_000));
                Fault fault = plan.get(i);
                long at = System.nanoTime();
                switch (fault) {
                    case RELAY_KILL -> restart(relays.get(random.nextInt(relays.size())));
                    case PROJECTOR_KILL -> restart(projectors.get(random.nextInt(projectors.size())));
                    case BROKER_RESTART -> {
                        broker.kill();
                        Thread.sleep(1_000);
                        broker.start();
                        awaitLogged(broker, "broker ready", Duration.ofMinutes(2));
                    }
                    case POSTGRES_RESTART -> {
                        postgres.close();
                        Thread.sleep(1_000);
                        postgres = startPostgres(postgresPort, directory.resolve("postgres"));
                    }
                }
                boolean recovered = probe.probe(fault.label);
                double seconds = (System.nanoTime() - at) / 1e9;
                if (recovered) {
                    recoveries.get(fault).add(seconds);
                } else {
                    unrecovered.add(fault.label + " (fault " + (i + 1) + ")");
                }
                say(String.format("fault %d/%d: %s, events flowing again after %.1f s; %,d events acknowledged", i + 1, plan.size(),
                        fault.label, seconds, writers.acknowledgedCount()));
            }
            while (writers.acknowledgedCount() < options.events()) {
                Thread.sleep(1_000);
                say(String.format("writing: %,d of %,d events acknowledged", writers.acknowledgedCount(), options.events()));
            }
            writers.stop();
            long stoppedWriting = System.nanoTime();
            say("writers stopped; waiting for every read model to catch up");
            probe.awaitCaughtUp();
            double caughtUp = (System.nanoTime() - stoppedWriting) / 1e9;
            Map<String, Integer> exits = new LinkedHashMap<>();
            for (Spawned process : concat(relays, projectors)) {
                int exited = process.exitsOnItsOwn();
                if (exited > 0) {
                    exits.put(process.name(), exited);
                }
            }
            return new ChaosSummary(options, out).print(dataSource, settings.get(KafkaSettings.BOOTSTRAP_SERVERS), writers, recoveries,
                    unrecovered, caughtUp, exits);
        } finally {
            for (Spawned process : concat(relays, projectors)) {
                process.stop(Duration.ofSeconds(30));
            }
            broker.stop(Duration.ofSeconds(30));
            postgres.close();
        }
    }

    /** At least one fault of each kind first, then kinds at random, projector kills the likeliest. */
    private List<Fault> plan() {
        List<Fault> plan = new ArrayList<>(List.of(Fault.values()));
        Collections.shuffle(plan, random);
        Fault[] weighted = {Fault.PROJECTOR_KILL, Fault.PROJECTOR_KILL, Fault.PROJECTOR_KILL, Fault.PROJECTOR_KILL, Fault.RELAY_KILL,
            Fault.RELAY_KILL, Fault.BROKER_RESTART, Fault.POSTGRES_RESTART};
        while (plan.size() < options.faults()) {
            plan.add(weighted[random.nextInt(weighted.length)]);
        }
        return plan;
    }

    /** As an operator would after a failed start: once more, a little later. */
    private EmbeddedPostgres startPostgres(int port, Path dataDirectory) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return EmbeddedPostgres.start(port, dataDirectory);
            } catch (RuntimeException e) {
                if (attempt == 3) {
                    throw e;
                }
                say("PostgreSQL did not start (" + e.getMessage() + "); starting it again");
                Thread.sleep(2_000);
            }
        }
    }

    private static void restart(Spawned process) throws Exception {
        process.kill();
        Thread.sleep(1_000);
        process.start();
    }

    private static void awaitLogged(Spawned process, String line, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!process.logged(line)) {
            if (!process.alive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(process.name() + " did not print '" + line + "'; see " + process.log());
            }
            Thread.sleep(100);
        }
    }

    private static List<Spawned> concat(List<Spawned> first, List<Spawned> second) {
        List<Spawned> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private void say(String line) {
        out.println("chaos: " + line);
    }
}

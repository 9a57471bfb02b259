package dev.projections.embeddedservices;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one process), from Kafka's own
 * jars: its storage is formatted as {@code kafka-storage format} does, then {@link KafkaRaftServer} runs it.
 * Open to any client on loopback, or {@linkplain #start(int, Path, Security) secured} as a production
 * cluster is.
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** The SASL mechanism of a secured broker's client listener. */
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

    /**
     * A secured broker: clients authenticate with SCRAM-SHA-512 over TLS, and the authorizer lets them do only
     * what an ACL grants. The broker talks to its controller, and to itself as a broker, over TLS with client
     * certificates, as the principal of {@code certificate}, a super user.
     *
     * @param certificate the broker's, for every listener; issued for the host names clients use (127.0.0.1)
     * @param users SCRAM users and their passwords, of letters, digits, {@code -} and {@code _}, created as the
     *     storage is formatted (a kept data directory is formatted once: users added later are for
     *     {@code Admin#alterUserScramCredentials})
     * @param superUsers user names among {@code users} that every ACL lets through, to set the ACLs up
     */
    public record Security(Certificates.Issued certificate, Map<String, String> users, List<String> superUsers) {

        public Security {
            users = Map.copyOf(users);
            superUsers = List.copyOf(superUsers);
        }
    }

    private static final String CLUSTER_ID_FILE = "cluster.id";

    private final KafkaRaftServer server;
    private final int port;
    private final Path logDirectory;
    private final boolean temporary;

    private EmbeddedKafka(KafkaRaftServer server, int port, Path logDirectory, boolean temporary) {
        this.server = server;
        this.port = port;
        this.logDirectory = logDirectory;
        this.temporary = temporary;
    }

    /**
     * @param port the client port, 0 for a free one
     * @param dataDirectory kept between starts; {@code null} for a temporary one removed on close
     */
    public static EmbeddedKafka start(int port, Path dataDirectory) {
        return start(port, dataDirectory, null);
    }

    /**
     * A broker whose client port is {@code SASL_SSL} (SCRAM-SHA-512), with the ACL authorizer on and nothing
     * allowed that no ACL allows.
     *
     * @param security {@code null} for a broker open to any client, as {@link #start(int, Path)}
     */
    public static EmbeddedKafka start(int port, Path dataDirectory, Security security) {
        try {
            boolean temporary = dataDirectory == null;
            Path logs = temporary ? Files.createTempDirectory("projection-pipeline-kafka") : dataDirectory;
            Files.createDirectories(logs);
            int clientPort = port > 0 ? port : freePort();
            int controllerPort = freePort();

            Map<String, Object> props = new HashMap<>();
            props.put("process.roles", "broker,controller");
            props.put("node.id", "1");
            props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
            props.put("controller.listener.names", "CONTROLLER");
            if (security == null) {
                props.put("listeners", "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
                props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort);
                props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
                props.put("inter.broker.listener.name", "PLAINTEXT");
            } else {
                props.putAll(securedListeners(security, clientPort, freePort(), controllerPort));
            }
            props.put("log.dirs", logs.toString());
            props.put("offsets.topic.replication.factor", "1");
            props.put("offsets.topic.num.partitions", "6");
            props.put("transaction.state.log.replication.factor", "1");
            props.put("transaction.state.log.min.isr", "1");
            props.put("share.coordinator.state.topic.replication.factor", "1");
            props.put("share.coordinator.state.topic.min.isr", "1");
            props.put("group.initial.rebalance.delay.ms", "0");
            props.put("num.partitions", "1");
            props.put("auto.create.topics.enable", "false");
            props.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
            KafkaConfig config = new KafkaConfig(props, false);

            format(logs, security == null ? List.of() : scramArguments(security));
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            return new EmbeddedKafka(server, clientPort, logs, temporary);
        } catch (IOException e) {
            throw new UncheckedIOException("embedded Kafka did not start: " + e.getMessage(), e);
        }
    }

    /**
     * The client listener SASL_SSL; the inter-broker and controller listeners SSL with client certificates,
     * so that the broker's own requests come as the certificate's principal, which is a super user.
     */
    private static Map<String, Object> securedListeners(Security security, int clientPort, int internalPort, int controllerPort)
            throws IOException {
        Certificates.Issued tls = security.certificate();
        Map<String, Object> props = new HashMap<>();
        props.put("listeners", "CLIENT://127.0.0.1:" + clientPort + ",INTERNAL://127.0.0.1:" + internalPort
                + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "CLIENT://127.0.0.1:" + clientPort + ",INTERNAL://127.0.0.1:" + internalPort);
        props.put("listener.security.protocol.map", "CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL");
        props.put("inter.broker.listener.name", "INTERNAL");
        props.put("listener.name.internal.ssl.client.auth", "required");
        props.put("listener.name.controller.ssl.client.auth", "required");
        props.put("ssl.keystore.type", "PKCS12");
        props.put("ssl.keystore.location", tls.keyStore().toString());
        props.put("ssl.keystore.password", tls.password());
        props.put("ssl.key.password", tls.password());
        props.put("ssl.truststore.type", "PKCS12");
        props.put("ssl.truststore.location", tls.trustStore().toString());
        props.put("ssl.truststore.password", tls.password());
        props.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
        props.put("listener.name.client.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        props.put("allow.everyone.if.no.acl.found", "false");
        List<String> superUsers = new ArrayList<>();
        superUsers.add("User:" + subjectOf(tls.certificate()));
        security.superUsers().forEach(user -> superUsers.add("User:" + user));
        props.put("super.users", String.join(";", superUsers));
        return props;
    }

    /** The principal Kafka gives a peer presenting this certificate: its subject, as RFC 2253 writes it. */
    private static String subjectOf(Path certificate) throws IOException {
        try (InputStream in = Files.newInputStream(certificate)) {
            return ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in)).getSubjectX500Principal().getName();
        } catch (CertificateException e) {
            throw new IOException("cannot read the certificate " + certificate + ": " + e.getMessage(), e);
        }
    }

    /** {@code kafka-storage format --add-scram}'s arguments: one per user. */
    private static List<String> scramArguments(Security security) {
        return security.users().entrySet().stream()
                .map(user -> SCRAM_MECHANISM + "=[name=" + user.getKey() + ",password=" + user.getValue() + "]")
                .toList();
    }

    private static void format(Path logs, List<String> scramArguments) throws IOException {
        Path clusterIdFile = logs.resolve(CLUSTER_ID_FILE);
        String clusterId = Files.exists(clusterIdFile) ? Files.readString(clusterIdFile).trim() : Uuid.randomUuid().toString();
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setClusterId(clusterId)
                    .setNodeId(1)
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(logs.toString())
                    .setDirectories(List.of(logs.toString()))
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .setUnstableFeatureVersionsEnabled(false)
                    .setScramArguments(scramArguments)
                    // a kept directory is formatted once; later starts reuse it
                    .setIgnoreFormatted(true)
                    .run();
        } catch (Exception e) {
            throw new IOException("formatting Kafka storage in " + logs + " failed: " + e.getMessage(), e);
        }
        Files.writeString(clusterIdFile, clusterId);
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        if (temporary) {
            deleteRecursively(logDirectory);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

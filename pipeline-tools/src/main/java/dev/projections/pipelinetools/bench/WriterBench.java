package dev.projections.pipelinetools.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.projections.embeddedservices.Certificates;
import dev.projections.embeddedservices.EmbeddedPostgres;
import dev.projections.eventwriter.EventWriterApp;
import dev.projections.eventwriter.EventWriterConfig;
import dev.projections.eventwriter.WriterTls;
import dev.projections.eventwriter.access.ApiKeys;
import dev.projections.eventwriter.access.BearerTokens;
import dev.projections.eventwriter.access.Credentials;
import dev.projections.migrations.Migrations;
import dev.projections.monitoring.Monitoring;
import dev.projections.settings.DatabaseSettings;
import dev.projections.settings.Settings;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What the writer's TLS and credentials cost: appends per second and their answer times over HTTP/1.1 with
 * keep-alive, open and plain beside TLS with an API key and with a bearer token; refusals per second of
 * requests without or with forged credentials; and the time to verify one token. On loopback, against an
 * embedded PostgreSQL, each stage bounded in time.
 */
public final class WriterBench {

    /** One stage's outcome: requests answered with the expected status, per second, and their answer times. */
    record Stage(String name, int expectedStatus, long requests, long unexpected, double seconds, double p50Millis, double p99Millis) {
        double perSecond() {
            return requests / seconds;
        }
    }

    private static final String ISSUER = "https://issuer.bench.test/";
    private static final String AUDIENCE = "event-writer";
    private static final String APPEND = "{\"expectedVersion\": 0, \"events\": [{\"eventType\": \"DocumentUploaded\", \"payload\": {\"title\": "
            + "\"Bench\", \"filename\": \"bench.pdf\", \"contentType\": \"application/pdf\", \"sizeBytes\": 10, \"uploadedBy\": \"bench\"}}]}";

    private final int clients;
    private final int rounds;
    private final Duration warmUp;
    private final Duration duration;
    private final PrintStream out;

    public WriterBench(int clients, int rounds, Duration warmUp, Duration duration, PrintStream out) {
        this.clients = clients;
        this.rounds = rounds;
        this.warmUp = warmUp;
        this.duration = duration;
        this.out = out;
    }

    /** One kind of request, sent by the clients for a stage. */
    private record Plan(String name, HttpClient http, String scheme, int port, String authorization, int expected) {
    }

    /** Runs every stage, round after round so that each kind meets the machine in every state, and returns the report's lines. */
    public List<String> run(Path work) throws Exception {
        ECKey signing = new ECKeyGenerator(Curve.P_256).keyID("bench-1").generate();
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("bench-rsa").generate();
        Path jwks = Files.writeString(work.resolve("jwks.json"), new JWKSet(List.of(signing.toPublicJWK(), rsa.toPublicJWK())).toString());
        String key = ApiKeys.newKey();
        Path keys = Files.writeString(work.resolve("api-keys"), ApiKeys.line("bench", key, List.of("events:append:*")) + "\n");
        Certificates.Issued certificate = Certificates.authority("bench-ca").issue(work.resolve("tls"), "writer", List.of("localhost", "127.0.0.1"));
        String token = token(signing);
        String forged = token(new ECKeyGenerator(Curve.P_256).keyID("bench-1").generate());

        Map<String, List<Stage>> stages = new LinkedHashMap<>();
        double[] es256;
        double[] rs256;
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start(0, null)) {
            Migrations.migrate(postgres.dataSource());
            Map<String, String> open = Map.of(WriterTls.TLS, "false", Credentials.AUTH, "false");
            Map<String, String> secured = Map.of(WriterTls.CERT_FILE, certificate.certificate().toString(),
                    WriterTls.KEY_FILE, certificate.privateKey().toString(), Credentials.JWT_KEY_FILE, jwks.toString(),
                    Credentials.JWT_ISSUER, ISSUER, Credentials.JWT_AUDIENCE, AUDIENCE, Credentials.API_KEYS_FILE, keys.toString());
            HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpClient tls = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(certificate.trustingContext()).build();
            try (EventWriterApp openWriter = writer(postgres, open); EventWriterApp securedWriter = writer(postgres, secured)) {
                int port = securedWriter.httpPort();
                List<Plan> plans = List.of(
                        new Plan("appends, plain HTTP, no credentials", plain, "http", openWriter.httpPort(), null, 201),
                        new Plan("appends, TLS, API key", tls, "https", port, "ApiKey " + key, 201),
                        new Plan("appends, TLS, bearer token (ES256)", tls, "https", port, "Bearer " + token, 201),
                        new Plan("refusals, TLS, no credentials", tls, "https", port, null, 401),
                        new Plan("refusals, TLS, forged token", tls, "https", port, "Bearer " + forged, 401));
                for (int round = 1; round <= rounds; round++) {
                    for (Plan plan : plans) {
                        out.println("bench writer: round " + round + " of " + rounds + ": " + plan.name());
                        stages.computeIfAbsent(plan.name(), name -> new ArrayList<>()).add(stage(plan));
                    }
                }
            }
            es256 = verifyMicros(jwks, signing, JWSAlgorithm.ES256);
            rs256 = verifyMicros(jwks, rsa, JWSAlgorithm.RS256);
        }
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.US, "writer bench: %d clients on loopback, HTTP/1.1 with keep-alive; %d rounds of %d s per stage, each after %d s"
                + " unmeasured; each append a new document's first event. Medians of the rounds, requests/s with their lowest and highest",
                clients, rounds, duration.toSeconds(), warmUp.toSeconds()));
        lines.add("");
        lines.add("| stage | answer | requests/s | lowest–highest | p50 (ms) | p99 (ms) | other answers |");
        lines.add("|---|---|---|---|---|---|---|");
        stages.forEach((name, rounds) -> {
            double[] rates = rounds.stream().mapToDouble(Stage::perSecond).sorted().toArray();
            lines.add(String.format(Locale.US, "| %s | %d | %,.0f | %,.0f–%,.0f | %.2f | %.2f | %,d |", name, rounds.get(0).expectedStatus(),
                    median(rates), rates[0], rates[rates.length - 1], median(rounds.stream().mapToDouble(Stage::p50Millis).sorted().toArray()),
                    median(rounds.stream().mapToDouble(Stage::p99Millis).sorted().toArray()), rounds.stream().mapToLong(Stage::unexpected).sum()));
        });
        lines.add("");
        lines.add(String.format(Locale.US, "Verifying one token in-process (signature, issuer, audience, times): ES256 %.0f µs, RS256 %.0f µs the first time;"
                + " %.2f µs while it is remembered (up to a minute, never past its expiry)", es256[0], rs256[0], es256[1]));
        return lines;
    }

    private static double median(double[] sorted) {
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static EventWriterApp writer(EmbeddedPostgres postgres, Map<String, String> access) {
        Map<String, String> flags = new HashMap<>(access);
        flags.put(DatabaseSettings.URL, postgres.jdbcUrl());
        flags.put(EventWriterConfig.HTTP_HOST, "127.0.0.1");
        flags.put(EventWriterConfig.HTTP_PORT, "0");
        Settings settings = Settings.of(flags, Map.of());
        EventWriterConfig config = EventWriterConfig.from(settings);
        settings.validate();
        return EventWriterApp.start(config, new Monitoring("writer-bench"));
    }

    private Stage stage(Plan plan) throws Exception {
        URI base = URI.create(plan.scheme() + "://127.0.0.1:" + plan.port() + "/aggregates/document/");
        run(plan.http(), base, plan.authorization(), plan.expected(), Instant.now().plus(warmUp));
        Instant end = Instant.now().plus(duration);
        long started = System.nanoTime();
        List<long[]> answers = run(plan.http(), base, plan.authorization(), plan.expected(), end);
        double seconds = (System.nanoTime() - started) / 1e9;
        long unexpected = answers.stream().mapToLong(times -> times[0]).sum();
        long[] times = answers.stream().flatMapToLong(each -> Arrays.stream(each, 1, each.length)).filter(t -> t > 0).sorted().toArray();
        return new Stage(plan.name(), plan.expected(), times.length, unexpected, seconds, percentile(times, 0.50), percentile(times, 0.99));
    }

    /** Each client sends requests one after another until the end; per client, element 0 counts unexpected answers, the rest are answer times in ns. */
    private List<long[]> run(HttpClient http, URI base, String authorization, int expected, Instant end) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<long[]>> futures = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                futures.add(pool.submit(() -> {
                    long[] times = new long[1 << 16];
                    int count = 1;
                    while (Instant.now().isBefore(end)) {
                        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(UUID.randomUUID() + "/events"))
                                .POST(HttpRequest.BodyPublishers.ofString(APPEND)).timeout(Duration.ofSeconds(10));
                        if (authorization != null) {
                            request.header("Authorization", authorization);
                        }
                        long sent = System.nanoTime();
                        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                        long took = System.nanoTime() - sent;
                        if (response.statusCode() != expected) {
                            times[0]++;
                        } else {
                            if (count == times.length) {
                                times = Arrays.copyOf(times, times.length * 2);
                            }
                            times[count++] = took;
                        }
                    }
                    return Arrays.copyOf(times, count);
                }));
            }
            List<long[]> answers = new ArrayList<>();
            for (Future<long[]> future : futures) {
                answers.add(future.get());
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Microseconds to verify a token the first time, and again while it is remembered. */
    private static double[] verifyMicros(Path jwks, JWK signing, JWSAlgorithm algorithm) throws Exception {
        BearerTokens tokens = BearerTokens.fromKeyFile(jwks, ISSUER, AUDIENCE);
        List<String> distinct = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            distinct.add(token(signing, algorithm));
        }
        for (String token : distinct.subList(0, 1_000)) {
            tokens.verify(token);
        }
        long started = System.nanoTime();
        for (String token : distinct.subList(1_000, distinct.size())) {
            tokens.verify(token);
        }
        double first = (System.nanoTime() - started) / 1e3 / 2_000;
        String again = distinct.get(0);
        int rounds = 100_000;
        started = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            tokens.verify(again);
        }
        return new double[] {first, (System.nanoTime() - started) / 1e3 / rounds};
    }

    private static double percentile(long[] sorted, double share) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] / 1e6;
    }

    private static String token(ECKey key) throws JOSEException {
        return token(key, JWSAlgorithm.ES256);
    }

    private static String token(JWK key, JWSAlgorithm algorithm) throws JOSEException {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject("bench").jwtID(UUID.randomUUID().toString()).issuer(ISSUER).audience(AUDIENCE).claim("scope", "events:append:*")
                .notBeforeTime(Date.from(now.minusSeconds(5))).expirationTime(Date.from(now.plus(Duration.ofHours(1)))).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(key.getKeyID()).build(), claims);
        jwt.sign(key instanceof ECKey ec ? new ECDSASigner(ec) : new RSASSASigner(key.toRSAKey()));
        return jwt.serialize();
    }
}

package dev.projections.eventwriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.projections.embeddedservices.Certificates;
import dev.projections.embeddedservices.SharedPostgres;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventwriter.access.ApiKeys;
import dev.projections.eventwriter.access.BearerTokens;
import dev.projections.eventwriter.access.Credentials;
import dev.projections.migrations.Migrations;
import dev.projections.settings.Settings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer as a production deployment runs it: HTTPS, bearer tokens checked against a key file, API keys
 * from a file, rights per aggregate type and action. Each refusal is shown with its answer, and with
 * nothing appended.
 */
class WriterAccessIT {

    private static final String ISSUER = "https://login.example.test/";
    private static final String AUDIENCE = "event-writer";
    private static final String UPLOADED = """
            {"expectedVersion": 0, "events": [{"eventType": "DocumentUploaded", "payload": {"title": "Spec", "filename": "spec.pdf",
             "contentType": "application/pdf", "sizeBytes": 10, "uploadedBy": "alice"}, "metadata": {"user_id": "whoever-i-say"}}]}""";

    @TempDir
    static Path files;
    private static ECKey signing;
    private static EventStore store;
    private static WriterHttpServer server;
    private static HttpClient https;
    private static Path apiKeysFile;
    private static String ingestKey;

    @BeforeAll
    static void start() throws Exception {
        Migrations.migrate(SharedPostgres.get().dataSource());
        store = new EventStore(SharedPostgres.get().dataSource());
        signing = new ECKeyGenerator(Curve.P_256).keyID("signer-1").generate();
        Path keyFile = Files.writeString(files.resolve("jwks.json"), new JWKSet(signing.toPublicJWK()).toString());
        ingestKey = ApiKeys.newKey();
        apiKeysFile = Files.writeString(files.resolve("api-keys"), "# name hash scopes\n"
                + ApiKeys.line("ingest", ingestKey, List.of("events:append:customer", "events:read:customer")) + "\n");
        Certificates.Issued certificate = Certificates.authority("writer-test-ca").issue(files.resolve("tls"), "writer",
                List.of("localhost", "127.0.0.1"));
        https = HttpClient.newBuilder().sslContext(certificate.trustingContext()).build();

        Settings settings = Settings.of(Map.of(
                WriterTls.CERT_FILE, certificate.certificate().toString(),
                WriterTls.KEY_FILE, certificate.privateKey().toString(),
                Credentials.JWT_KEY_FILE, keyFile.toString(),
                Credentials.JWT_ISSUER, ISSUER,
                Credentials.JWT_AUDIENCE, AUDIENCE,
                Credentials.API_KEYS_FILE, apiKeysFile.toString()), Map.of());
        WriterTls tls = WriterTls.from(settings);
        Credentials credentials = Credentials.from(settings);
        settings.validate();
        server = WriterHttpServer.start(store, new WriterHttpServer.Options("127.0.0.1", 0, 4, 64 * 1024, 8 * 1024, tls), credentials,
                new SimpleMeterRegistry());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void givenAGoodTokenWithTheScope_whenItAppends_then201AndTheTokensSubjectIsEachEventsUserId() throws Exception {
        UUID id = UUID.randomUUID();

        HttpResponse<String> response = append("document", id, "Bearer " + token(claims("svc-ingest", "events:append:document")));

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(store.load(id)).singleElement()
                .satisfies(event -> assertThat(event.metadata().get("user_id").asText()).isEqualTo("svc-ingest"));
    }

    @Test
    void givenAGoodApiKey_whenItAppendsAndReads_thenTheKeysNameIsEachEventsUserId() throws Exception {
        UUID id = UUID.randomUUID();
        String registered = "{\"expectedVersion\": 0, \"events\": [{\"eventType\": \"CustomerRegistered\", \"payload\": "
                + "{\"code\": \"K-" + id.toString().substring(0, 8) + "\", \"name\": \"Acme\"}}]}";

        HttpResponse<String> response = send(post("customer", id, registered).header("Authorization", "ApiKey " + ingestKey));
        HttpResponse<String> read = send(HttpRequest.newBuilder(uri("/aggregates/customer/" + id + "/events"))
                .header("Authorization", "ApiKey " + ingestKey));

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(EventJson.tree(read.body()).get("events").get(0).get("metadata").get("user_id").asText()).isEqualTo("ingest");
    }

    @Test
    void givenNoCredentials_whenAppending_then401WithAChallengeForEachScheme() throws Exception {
        HttpResponse<String> response = refused("no token", null, 401);

        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"event-writer\", ApiKey realm=\"event-writer\"");
        assertThat(message(response)).isEqualTo("credentials are required: send Authorization: Bearer <token> or Authorization: ApiKey <key>");
    }

    @Test
    void givenAMalformedToken_whenAppending_then401() throws Exception {
        HttpResponse<String> response = refused("malformed token", "Bearer not-a-jwt", 401);

        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"event-writer\", error=\"invalid_token\"");
        assertThat(message(response)).startsWith("the bearer token is not a JWT");
    }

    @Test
    void givenAForgedSignature_whenAppending_then401() throws Exception {
        ECKey forger = new ECKeyGenerator(Curve.P_256).keyID(signing.getKeyID()).generate();

        HttpResponse<String> response = refused("signature forged", "Bearer " + token(forger, claims("svc-ingest", "events:append:document")), 401);

        assertThat(message(response)).isEqualTo("the bearer token was refused: Signed JWT rejected: Invalid signature");
    }

    @Test
    void givenAnUnsignedToken_whenAppending_then401() throws Exception {
        String none = new PlainJWT(claims("svc-ingest", "events:append:document")).serialize();

        HttpResponse<String> response = refused("alg: none", "Bearer " + none, 401);

        assertThat(message(response)).isEqualTo("the bearer token was refused: it is unsigned (alg: none)");
    }

    @Test
    void givenAKeyNotInTheKeySet_whenAppending_then401() throws Exception {
        ECKey stranger = new ECKeyGenerator(Curve.P_256).keyID("signer-9").generate();

        HttpResponse<String> response = refused("a key not in the JWKS", "Bearer " + token(stranger, claims("svc-ingest", "events:append:document")), 401);

        assertThat(message(response)).isEqualTo("the bearer token was refused: Signed JWT rejected: Another algorithm expected, or no matching key(s) found");
    }

    @Test
    void givenAnExpiredToken_whenAppending_then401() throws Exception {
        JWTClaimsSet expired = new JWTClaimsSet.Builder(claims("svc-ingest", "events:append:document"))
                .expirationTime(Date.from(Instant.now().minus(Duration.ofMinutes(5)))).build();

        HttpResponse<String> response = refused("expired token", "Bearer " + token(expired), 401);

        assertThat(message(response)).isEqualTo("the bearer token was refused: Expired JWT");
    }

    @Test
    void givenAnotherAudienceOrIssuer_whenAppending_then401() throws Exception {
        JWTClaimsSet otherAudience = new JWTClaimsSet.Builder(claims("svc-ingest", "events:append:document")).audience("billing").build();
        JWTClaimsSet otherIssuer = new JWTClaimsSet.Builder(claims("svc-ingest", "events:append:document")).issuer("https://evil.test/").build();

        HttpResponse<String> audience = refused("wrong audience", "Bearer " + token(otherAudience), 401);
        HttpResponse<String> issuer = refused("wrong issuer", "Bearer " + token(otherIssuer), 401);

        assertThat(message(audience)).isEqualTo("the bearer token was refused: JWT aud claim rejected");
        assertThat(message(issuer)).isEqualTo("the bearer token was refused: JWT iss claim value rejected");
    }

    @Test
    void givenARightTokenForAnotherAggregateType_whenAppending_then403NamingTheScopeNeeded() throws Exception {
        HttpResponse<String> response = refused("aggregate type out of scope", "Bearer " + token(claims("svc-ingest", "events:append:customer")), 403);

        assertThat(EventJson.tree(response.body()).get("error").asText()).isEqualTo("forbidden");
        assertThat(message(response)).isEqualTo("svc-ingest may not append to document aggregates: that needs the scope events:append:document");
    }

    @Test
    void givenAReadOnlyScope_whenAppending_then403ButReadingIsAllowed() throws Exception {
        String reader = "Bearer " + token(claims("dashboard", "events:read:* projections:read:*"));

        HttpResponse<String> response = refused("append with a read-only scope", reader, 403);
        HttpResponse<String> read = send(HttpRequest.newBuilder(uri("/aggregates/document/" + UUID.randomUUID() + "/events"))
                .header("Authorization", reader));

        assertThat(message(response)).isEqualTo("dashboard may not append to document aggregates: that needs the scope events:append:document");
        assertThat(read.statusCode()).isEqualTo(404);
    }

    @Test
    void givenARevokedApiKey_whenAppending_then401WithinASecondOfItsLineGoing() throws Exception {
        String key = ApiKeys.newKey();
        String original = Files.readString(apiKeysFile);
        Files.writeString(apiKeysFile, original + ApiKeys.line("short-lived", key, List.of("events:append:*")) + "\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> append("document", UUID.randomUUID(), "ApiKey " + key).statusCode() == 201);

        Files.writeString(apiKeysFile, original);

        await().atMost(Duration.ofSeconds(10)).until(() -> append("document", UUID.randomUUID(), "ApiKey " + key).statusCode() == 401);
        HttpResponse<String> response = refused("revoked API key", "ApiKey " + key, 401);
        assertThat(message(response)).isEqualTo("the API key is unknown or revoked");
    }

    @Test
    void givenAnOversizedHeader_whenAppending_then431() throws Exception {
        HttpResponse<String> response = refused("oversized header", "Bearer " + "x".repeat(16 * 1024), 431);

        assertThat(EventJson.tree(response.body()).get("error").asText()).isEqualTo("headers_too_large");
    }

    @Test
    void givenPlainHttp_whenCallingTheTlsPort_thenNoAnswerIsGiven() {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/aggregates/document/"
                + UUID.randomUUID() + "/events")).timeout(Duration.ofSeconds(5)).build();

        assertThatThrownBy(() -> HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void givenAJwksUrl_whenTheSignerAddsANewKey_thenTokensSignedWithItAreAcceptedWithoutARestart() throws Exception {
        ECKey next = new ECKeyGenerator(Curve.P_256).keyID("signer-2").generate();
        AtomicReference<JWKSet> published = new AtomicReference<>(new JWKSet(signing.toPublicJWK()));
        HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwks.createContext("/jwks.json", exchange -> {
            byte[] body = published.get().toString().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwks.start();
        try {
            BearerTokens tokens = BearerTokens.fromJwksUrl(new URL("http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json"),
                    ISSUER, AUDIENCE);
            assertThat(tokens.verify(token(claims("svc-ingest", "events:append:document"))).name()).isEqualTo("svc-ingest");

            published.set(new JWKSet(List.of(signing.toPublicJWK(), next.toPublicJWK())));

            assertThat(tokens.verify(token(next, claims("svc-next", "events:append:document"))).name()).isEqualTo("svc-next");
        } finally {
            jwks.stop(0);
        }
    }

    @Test
    void givenAJwksUrlThatDoesNotAnswer_whenATokenIsChecked_thenTheWriterSaysItCannotCheckTokensNow() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        BearerTokens tokens = BearerTokens.fromJwksUrl(new URL("http://127.0.0.1:" + closed + "/jwks.json"), ISSUER, AUDIENCE);

        assertThatThrownBy(() -> tokens.verify(token(claims("svc-ingest", "events:append:document"))))
                .isInstanceOf(BearerTokens.KeysUnavailable.class).hasMessageStartingWith("the token issuer's keys cannot be fetched");
    }

    /** Sends an append of a new document with the credentials, prints the answer as the user sees it, and checks nothing was appended. */
    private static HttpResponse<String> refused(String attempt, String authorization, int status) throws Exception {
        UUID id = UUID.randomUUID();
        HttpResponse<String> response = append("document", id, authorization);
        System.out.printf("%-32s -> %d %s%s%n", attempt, response.statusCode(),
                response.headers().firstValue("WWW-Authenticate").map(challenge -> "WWW-Authenticate: " + challenge + " ").orElse(""),
                response.body());
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(store.currentVersion(id)).isZero();
        return response;
    }

    private static HttpResponse<String> append(String aggregateType, UUID id, String authorization) throws Exception {
        HttpRequest.Builder request = post(aggregateType, id, UPLOADED);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return send(request);
    }

    private static HttpRequest.Builder post(String aggregateType, UUID id, String body) {
        return HttpRequest.newBuilder(uri("/aggregates/" + aggregateType + "/" + id + "/events"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return https.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        return URI.create("https://127.0.0.1:" + server.port() + path);
    }

    private static String message(HttpResponse<String> response) {
        JsonNode body = EventJson.tree(response.body());
        return body.get("message").asText();
    }

    private static JWTClaimsSet claims(String subject, String scope) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().subject(subject).issuer(ISSUER).audience(AUDIENCE).claim("scope", scope)
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now.minusSeconds(5)))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(5)))).build();
    }

    private static String token(JWTClaimsSet claims) throws JOSEException {
        return token(signing, claims);
    }

    private static String token(ECKey key, JWTClaimsSet claims) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }
}

package dev.projections.pipelinetools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/pipeline local} as its own process, stopped as a container platform stops it: SIGTERM, then a grace period. */
class LocalStopIT {

    private static final Pattern READY = Pattern.compile("pipeline ready: jdbc=(\\S+) kafka=\\S+ http=(\\S+)");

    @Test
    void givenLocalModeThatProjectedAnEvent_whenSentSigterm_thenItStopsWellWithinAContainersGracePeriodWithNoErrorLogged(@TempDir Path data)
            throws Exception {
        Process local = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xms64m", "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), PipelineTools.class.getName(),
                "local", "--pg-port", "0", "--kafka-port", "0", "--http-port", "0", "--data-dir", data.resolve("pipeline").toString())
                .redirectErrorStream(true).start();
        List<String> output = new CopyOnWriteArrayList<>();
        CompletableFuture<Matcher> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(local.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    output.add(line);
                    Matcher matcher = READY.matcher(line);
                    if (matcher.find()) {
                        ready.complete(matcher);
                    }
                }
            } catch (Exception e) {
                ready.completeExceptionally(e);
            }
        });
        reader.start();
        try {
            Matcher urls = ready.get(180, TimeUnit.SECONDS);
            UUID customer = UUID.randomUUID();
            String registration = "{\"expectedVersion\": 0, \"events\": [{\"eventType\": \"CustomerRegistered\", \"payload\": {\"code\": \"STOP-"
                    + customer.toString().substring(0, 8) + "\", \"name\": \"Stop\"}}]}";
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(urls.group(2) + "/aggregates/customer/" + customer + "/events")).POST(HttpRequest.BodyPublishers.ofString(registration))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(60)).until(() -> projected(urls.group(1), customer));

            long sigterm = System.nanoTime();
            local.destroy();
            boolean stopped = local.waitFor(25, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - sigterm) / 1e9;

            System.out.printf("local mode stopped %.1f s after SIGTERM%n", seconds);
            reader.join(10_000);
            assertThat(stopped).as("stopped within 25 s of SIGTERM; output:%n%s", String.join("\n", output)).isTrue();
            // the JVM's answer to SIGTERM once its shutdown ran; PostgreSQL was stopped, not left running
            assertThat(local.exitValue()).isEqualTo(143);
            try (var files = Files.walk(data.resolve("pipeline"))) {
                assertThat(files.map(Path::getFileName).map(Path::toString)).doesNotContain("postmaster.pid");
            }
            // the components stop before PostgreSQL and the broker they use: nothing to alarm a person at the terminal
            List<String> afterReady = output.subList(output.indexOf(readyLine(output)), output.size());
            assertThat(afterReady).as("lines after the ready line").noneMatch(line -> line.contains(" ERROR ") || line.startsWith("\tat "));
        } finally {
            local.destroyForcibly().waitFor();
            reader.join(10_000);
        }
    }

    private static String readyLine(List<String> output) {
        return output.stream().filter(line -> READY.matcher(line).find()).findFirst().orElseThrow();
    }

    private static boolean projected(String jdbcUrl, UUID customer) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl);
                ResultSet rows = connection.createStatement().executeQuery("SELECT 1 FROM readmodel.customers WHERE id = '" + customer + "'")) {
            return rows.next();
        } catch (Exception e) {
            return false;
        }
    }
}

package dev.projections.pipelinetools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.projections.projectorstreams.Projections;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-compose.yml, the Prometheus configuration and alert rules, and the Grafana dashboard, checked as far
 * as a machine without a Docker engine can: by the tools' own validators where installed, and against the
 * settings the pipeline knows. That the metrics they query are exported is checked against a running
 * pipeline, in {@link OperationsIT}.
 */
class DeploymentFilesTest {

    /** Files an operator following the docs makes, each holding a password, a key or a certificate. */
    private static final List<String> SECRETS = List.of(".env", "secrets/writer.key", "secrets/writer-api-keys", "writer.key",
            "deploy/tls/server.pem", "certs/writer.p12", "certs/ca.crt", "kafka/client.truststore.jks");

    @Test
    void givenThePasswordsOfEnvExample_whenComposeValidatesTheFile_thenItIsValid(@TempDir Path directory) throws Exception {
        Path env = directory.resolve(".env");
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(DeploymentFiles.root().resolve(".env.example"))) {
            lines.add(line.endsWith("=") ? line + "a-password" : line);
        }
        Files.write(env, lines);

        Run run = run("docker-compose", "--env-file", env.toString(), "--file", DeploymentFiles.compose().toString(), "config", "-q");

        assertThat(run.status()).as(run.output()).isZero();
    }

    @Test
    void givenPasswordsKeysAndCertificates_whenTheImageBuildTakesItsContext_thenItLeavesEachOut() throws Exception {
        // the Dockerfile's build stage copies the whole tree: a secret it did not ignore would sit in a layer
        List<String> patterns = Files.readAllLines(DeploymentFiles.root().resolve(".dockerignore")).stream()
                .map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();

        assertThat(SECRETS).allSatisfy(secret -> assertThat(dockerIgnores(patterns, secret))
                .as(".dockerignore leaves %s out of the build context", secret).isTrue());
        assertThat(dockerIgnores(patterns, "pom.xml")).isFalse();
    }

    @Test
    void givenPasswordsKeysAndCertificates_whenGitLooksAtTheTree_thenItIgnoresEachOne() throws Exception {
        assumeTrue(Files.exists(DeploymentFiles.root().resolve(".git")), "the source tree is not a git checkout: not checked");
        for (String secret : SECRETS) {
            Run run = run("git", "-C", DeploymentFiles.root().toString(), "check-ignore", "--quiet", "--no-index", secret);
            assertThat(run.status()).as("git ignores %s: %s", secret, run.output()).isZero();
        }
    }

    /** Docker's rule: a path is left out when a pattern matches it or a directory above it; {@code **}/ matches no directory too. */
    private static boolean dockerIgnores(List<String> patterns, String path) {
        for (String pattern : patterns) {
            List<String> globs = pattern.startsWith("**/") ? List.of(pattern, pattern.substring(3)) : List.of(pattern);
            for (String glob : globs) {
                var matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
                for (Path candidate = Path.of(path); candidate != null; candidate = candidate.getParent()) {
                    if (matcher.matches(candidate)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    @Test
    void givenNoPasswords_whenComposeValidatesTheFile_thenItRefusesNamingTheMissingOne(@TempDir Path directory) throws Exception {
        Path env = Files.writeString(directory.resolve(".env"), "");

        Run run = run("docker-compose", "--env-file", env.toString(), "--file", DeploymentFiles.compose().toString(), "config", "-q");

        assertThat(run.status()).isNotZero();
        assertThat(run.output()).contains("set POSTGRES_PASSWORD in .env");
    }

    @Test
    void whenPromtoolChecksTheConfiguration_thenItAndItsRuleFileAreValid() throws Exception {
        Run run = run("promtool", "check", "config", DeploymentFiles.prometheusConfig().toString());

        assertThat(run.status()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS");
    }

    @Test
    void whenPromtoolChecksTheAlertRules_thenEveryRuleIsValid() throws Exception {
        Run run = run("promtool", "check", "rules", DeploymentFiles.alertRules().toString());

        assertThat(run.status()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS: 10 rules found");
    }

    @Test
    void givenTheAlertsUnitTests_whenPromtoolRunsThem_thenEachAlertFiresOnItsSeriesAndAHealthyPipelineRaisesNone() throws Exception {
        Run run = run("promtool", "test", "rules", DeploymentFiles.alertRules().resolveSibling("alerts.test.yml").toString());

        assertThat(run.status()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS");
    }

    @Test
    void theDashboardIsGrafanaJsonWithAQueryInEveryPanel() {
        JsonNode dashboard = DeploymentFiles.json(DeploymentFiles.dashboard());

        assertThat(dashboard.path("uid").asText()).isEqualTo("projection-pipeline");
        assertThat(dashboard.path("panels")).isNotEmpty().allSatisfy(panel -> {
            assertThat(panel.path("title").asText()).isNotBlank();
            assertThat(panel.path("targets")).isNotEmpty()
                    .allSatisfy(target -> assertThat(target.path("expr").asText()).as(panel.path("title").asText()).isNotBlank());
        });
        assertThat(DeploymentFiles.metricNames()).contains("pipeline_projector_lag_events", "pipeline_projector_end_to_end_latency_seconds_bucket",
                "pipeline_relay_events_total", "pipeline_relay_slot_lag_bytes", "pipeline_projector_parked_events", "logback_events_total");
    }

    @Test
    void everyAlertHasASeverityAndARunbookSectionInTheMonitoringPage() throws IOException {
        String monitoring = Files.readString(DeploymentFiles.root().resolve("docs/monitoring.md"));
        DeploymentFiles.yaml(DeploymentFiles.alertRules()).path("groups").forEach(group -> group.path("rules").forEach(rule -> {
            String alert = rule.path("alert").asText();
            assertThat(rule.path("labels").path("severity").asText()).as(alert).isIn("warning", "critical");
            assertThat(rule.path("annotations").path("runbook").asText()).as(alert).isEqualTo("docs/monitoring.md#" + alert.toLowerCase());
            assertThat(monitoring).as("docs/monitoring.md has a section for " + alert).contains("### " + alert + "\n");
        }));
    }

    @Test
    void everyPipelineVariableTheComposeFileSetsIsOneThePipelineKnows() {
        assertThat(DeploymentFiles.composeVariables()).isNotEmpty().allSatisfy(variable ->
                assertThat(SettingsCatalogue.knows(variable)).as(variable + " is not a setting of the pipeline").isTrue());
    }

    @Test
    void everyProjectorOfTheComposeFileIsScalable() {
        JsonNode services = DeploymentFiles.yaml(DeploymentFiles.compose()).path("services");
        for (String readModel : Projections.names()) {
            JsonNode projector = services.path("projector-" + readModel);
            assertThat(projector.path("command").toString()).as(readModel).isEqualTo("[\"projector\",\"" + readModel + "\"]");
            // a fixed name or a published port would stop a second instance
            assertThat(projector.has("container_name") || projector.has("ports")).as(readModel).isFalse();
        }
    }

    private record Run(int status, String output) {
    }

    /** Runs an installed tool; a test whose tool is missing is skipped, naming the package that brings it. */
    private static Run run(String... command) throws Exception {
        Map<String, String> packages = Map.of("docker-compose", "docker-compose", "promtool", "prometheus", "git", "git");
        assumeTrue(DeploymentFiles.installed(command[0]), command[0] + " is not installed (Debian package " + packages.get(command[0]) + "): not checked");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }
}

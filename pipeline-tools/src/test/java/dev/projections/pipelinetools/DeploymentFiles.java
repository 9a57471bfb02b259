package dev.projections.pipelinetools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/** The deployment's files at the project's top (compose, Prometheus, Grafana), read as the tools read them. */
final class DeploymentFiles {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The metrics the pipeline's own code and binders export; Prometheus' own (up) are not the pipeline's. */
    private static final Pattern METRIC = Pattern.compile("\\b(?:pipeline|logback|jvm|process|hikaricp|system)_[a-z0-9_]+\\b");

    private DeploymentFiles() {
    }

    /** The project's top folder; tests run in their module's folder. */
    static Path root() {
        Path here = Path.of("").toAbsolutePath();
        return Files.exists(here.resolve("docker-compose.yml")) ? here : here.getParent();
    }

    static Path compose() {
        return root().resolve("docker-compose.yml");
    }

    static Path prometheusConfig() {
        return root().resolve("deploy/prometheus/prometheus.yml");
    }

    static Path alertRules() {
        return root().resolve("deploy/prometheus/alerts.yml");
    }

    static Path dashboard() {
        return root().resolve("deploy/grafana/dashboards/pipeline.json");
    }

    /** A YAML file as a tree, its anchors and merge keys ({@code <<: *pipeline}) resolved as compose resolves them. */
    static JsonNode yaml(Path file) {
        try (Reader reader = Files.newBufferedReader(file)) {
            Map<String, Object> document = new Yaml().load(reader);
            return JSON.valueToTree(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every PromQL expression of the dashboard's panels and of the alert rules. */
    static List<String> expressions() {
        List<String> expressions = new ArrayList<>();
        json(dashboard()).path("panels").forEach(panel -> panel.path("targets").forEach(target -> expressions.add(target.path("expr").asText())));
        yaml(alertRules()).path("groups").forEach(group -> group.path("rules").forEach(rule -> expressions.add(rule.path("expr").asText())));
        return expressions;
    }

    /** The metric names the dashboard and the alerts query. */
    static Set<String> metricNames() {
        Set<String> names = new TreeSet<>();
        for (String expression : expressions()) {
            Matcher metric = METRIC.matcher(expression);
            while (metric.find()) {
                names.add(metric.group());
            }
        }
        return names;
    }

    /** Service by service, the PIPELINE_* variables the compose file sets. */
    static Set<String> composeVariables() {
        Set<String> variables = new TreeSet<>();
        yaml(compose()).path("services").forEach(service -> service.path("environment").fieldNames().forEachRemaining(name -> {
            if (name.startsWith("PIPELINE_")) {
                variables.add(name);
            }
        }));
        return variables;
    }

    /** Whether a tool is on the PATH; a test that needs one skips without it. */
    static boolean installed(String tool) {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(directory, tool))) {
                return true;
            }
        }
        return false;
    }
}

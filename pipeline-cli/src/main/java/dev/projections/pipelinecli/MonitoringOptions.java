package dev.projections.pipelinecli;

import dev.projections.settings.Settings;

/** Where a component without an HTTP service of its own serves /metrics and /health. */
record MonitoringOptions(String host, int port) {

    static final String HOST = "metrics-host";
    static final String PORT = "metrics-port";

    static MonitoringOptions from(Settings settings, int defaultPort) {
        return new MonitoringOptions(settings.string(HOST, "0.0.0.0"), settings.port(PORT, defaultPort));
    }
}

package dev.projections.pipelinecli;

import dev.projections.cdcrelay.CdcRelayConfig;
import dev.projections.eventwriter.EventWriterConfig;
import dev.projections.projectorstreams.ProjectorConfig;
import dev.projections.projectorstreams.Projections;
import dev.projections.settings.Settings;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The settings the pipeline knows: the keys its components read, and the variables of bin/pipeline itself. */
final class SettingsCatalogue {

    /** Read by the launcher scripts and before the command line is parsed, not through {@link Settings}. */
    static final Set<String> LAUNCHER_VARIABLES = Set.of("PIPELINE_JAVA_OPTS", LogFormat.VARIABLE);
    /** Any Kafka client property: PIPELINE_KAFKA_CLIENT_SECURITY_PROTOCOL is security.protocol. */
    static final String KAFKA_CLIENT_PREFIX = "PIPELINE_KAFKA_CLIENT_";

    private static final Set<String> KEYS = readKeys();
    private static final Set<String> VARIABLES = KEYS.stream().map(Settings::variableName).collect(Collectors.toSet());

    private SettingsCatalogue() {
    }

    /** Every key the components' settings read, as their commands build them. */
    static Set<String> keys() {
        return KEYS;
    }

    private static Set<String> readKeys() {
        Settings settings = Settings.of(Map.of(), Map.of());
        CdcRelayConfig.from(settings, Map.of());
        EventWriterConfig.from(settings);
        for (String readModel : Projections.names()) {
            ProjectorConfig.from(readModel, settings, Map.of());
        }
        MonitoringOptions.from(settings, 0);
        return Collections.unmodifiableSet(new TreeSet<>(settings.keysRead()));
    }

    static boolean knows(String variable) {
        return LAUNCHER_VARIABLES.contains(variable)
                || variable.startsWith(KAFKA_CLIENT_PREFIX) && variable.length() > KAFKA_CLIENT_PREFIX.length()
                || VARIABLES.contains(variable);
    }
}

package dev.projections.projectorstreams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.projections.settings.Settings;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The consumer settings that decide how soon a killed projector's partitions move to another instance. */
class ProjectorConfigTest {

    private static final Map<String, String> FLAGS = Map.of("db-url", "jdbc:postgresql://db:5432/pipeline?user=projector",
            "kafka-bootstrap-servers", "kafka:9092");

    @Test
    void givenNoSessionSettings_whenConfigured_thenAKilledInstanceIsGivenUpAfterTenSecondsNotTheClientsFortyFive() {
        Properties props = config(FLAGS, Map.of()).streamsProperties();

        assertThat(props).containsEntry("session.timeout.ms", 10_000).containsEntry("heartbeat.interval.ms", 3_000)
                .doesNotContainKey("group.instance.id");
    }

    @Test
    void givenTheClientsOwnSessionTimeout_whenConfigured_thenItWins() {
        Properties props = config(FLAGS, Map.of("PIPELINE_KAFKA_CLIENT_SESSION_TIMEOUT_MS", "30000")).streamsProperties();

        assertThat(props).containsEntry("session.timeout.ms", "30000");
    }

    @Test
    void givenAnInstanceId_whenConfigured_thenTheProjectorIsAStaticMemberOfItsReadModelsGroup() {
        Map<String, String> flags = new HashMap<>(FLAGS);
        flags.put("projector-instance-id", "projector-document-0");

        Properties props = config(flags, Map.of()).streamsProperties();

        assertThat(props).containsEntry("group.instance.id", "pipeline-projector-document-projector-document-0");
    }

    @Test
    void givenAnInstanceIdWithASpace_whenConfigured_thenTheProblemNamesTheSettingAndWhatItMayHold() {
        Map<String, String> flags = new HashMap<>(FLAGS);
        flags.put("projector-instance-id", "pod 0");
        Settings settings = Settings.of(flags, Map.of());

        ProjectorConfig.from("document", settings, Map.of());

        assertThat(settings.problems()).containsExactly("--projector-instance-id (PIPELINE_PROJECTOR_INSTANCE_ID) is 'pod 0'; use letters,"
                + " digits, '.', '_' and '-' (at most 100), e.g. the pod's name");
    }

    private static ProjectorConfig config(Map<String, String> flags, Map<String, String> environment) {
        Settings settings = Settings.of(flags, environment);
        ProjectorConfig config = ProjectorConfig.from("document", settings, environment);
        settings.validate();
        return config;
    }
}

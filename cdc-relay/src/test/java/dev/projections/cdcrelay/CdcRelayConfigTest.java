package dev.projections.cdcrelay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.projections.settings.DatabaseSettings;
import dev.projections.settings.KafkaSettings;
import dev.projections.settings.Settings;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class CdcRelayConfigTest {

    @Test
    void givenAUrlAskingForVerifiedTls_whenDebeziumIsConfigured_thenItsConnectionsAskForTheSame() {
        Properties debezium = debeziumProperties("jdbc:postgresql://db.example:5432/pipeline?user=relay&sslmode=verify-full"
                + "&sslrootcert=/etc/pipeline/ca.crt&sslcert=/etc/pipeline/relay.crt&sslkey=/etc/pipeline/relay.pk8&sslpassword=s3cret");

        assertThat(debezium).containsEntry("database.sslmode", "verify-full")
                .containsEntry("database.sslrootcert", "/etc/pipeline/ca.crt")
                .containsEntry("database.sslcert", "/etc/pipeline/relay.crt")
                .containsEntry("database.sslkey", "/etc/pipeline/relay.pk8")
                .containsEntry("database.sslpassword", "s3cret")
                .containsEntry("database.hostname", "db.example");
    }

    @Test
    void givenAUrlWithSslTrueAndNoMode_whenDebeziumIsConfigured_thenItVerifiesTheServerAsTheDriverDoes() {
        Properties debezium = debeziumProperties("jdbc:postgresql://db.example:5432/pipeline?user=relay&ssl=true&sslrootcert=/ca.crt");

        assertThat(debezium).containsEntry("database.sslmode", "verify-full").containsEntry("database.sslrootcert", "/ca.crt");
    }

    @Test
    void givenAUrlWithoutTls_whenDebeziumIsConfigured_thenNoTlsPropertyIsSet() {
        Properties debezium = debeziumProperties("jdbc:postgresql://localhost:5432/pipeline?user=relay");

        assertThat(debezium.stringPropertyNames()).noneMatch(name -> name.startsWith("database.ssl"));
    }

    private static Properties debeziumProperties(String url) {
        Settings settings = Settings.of(Map.of(DatabaseSettings.URL, url, KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092"), Map.of());
        CdcRelayConfig config = CdcRelayConfig.from(settings, Map.of());
        settings.validate();
        return config.debeziumProperties(false);
    }

    @Test
    void givenTwoShards_whenEachShardsEngineIsConfigured_thenItReadsItsOwnSlotAndPublicationAndSnapshotsOnlyItsAggregates() {
        Settings settings = Settings.of(Map.of(DatabaseSettings.URL, "jdbc:postgresql://db:5432/pipeline?user=relay",
                KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092", CdcRelayConfig.SHARDS, "2"), Map.of());
        CdcRelayConfig config = CdcRelayConfig.from(settings, Map.of());
        settings.validate();

        List<Properties> shards = config.perShard().stream().map(shard -> shard.debeziumProperties(false)).toList();

        assertThat(shards).extracting(shard -> shard.getProperty("slot.name")).containsExactly("pipeline_relay_2_0", "pipeline_relay_2_1");
        assertThat(shards).extracting(shard -> shard.getProperty("publication.name")).containsExactly("pipeline_events_2_0", "pipeline_events_2_1");
        assertThat(shards.get(1).getProperty("snapshot.select.statement.overrides.eventstore.events"))
                .isEqualTo("SELECT * FROM eventstore.events WHERE get_byte(uuid_send(aggregate_id), 15) % 2 = 1 ORDER BY sequence");
        assertThat(shards.get(1).getProperty("heartbeat.action.query")).endsWith("VALUES ('pipeline_relay_2_1', 'pipeline_events_2_1')");
        assertThat(shards).extracting(shard -> shard.getProperty("topic.prefix")).doesNotHaveDuplicates();
    }

    @Test
    void givenASlotAReshardingPrepared_whenTheEngineStarts_thenItStreamsFromItWithoutASnapshot() {
        assertThat(debeziumProperties("jdbc:postgresql://db:5432/pipeline?user=relay").getProperty("snapshot.mode")).isEqualTo("when_needed");
        Settings settings = Settings.of(Map.of(DatabaseSettings.URL, "jdbc:postgresql://db:5432/pipeline?user=relay",
                KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092"), Map.of());

        assertThat(CdcRelayConfig.from(settings, Map.of()).debeziumProperties(true).getProperty("snapshot.mode")).isEqualTo("no_data");
    }

    @Test
    void givenAShardCountWithoutPublicationsOrAShardNotInIt_whenConfigured_thenEachIsABadSetting() {
        Settings settings = Settings.of(Map.of(DatabaseSettings.URL, "jdbc:postgresql://db:5432/pipeline?user=relay",
                KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092", CdcRelayConfig.SHARDS, "3"), Map.of());
        CdcRelayConfig.from(settings, Map.of());
        Settings ids = Settings.of(Map.of(DatabaseSettings.URL, "jdbc:postgresql://db:5432/pipeline?user=relay",
                KafkaSettings.BOOTSTRAP_SERVERS, "localhost:9092", CdcRelayConfig.SHARDS, "2", CdcRelayConfig.SHARD_IDS, "1,2"), Map.of());
        CdcRelayConfig.from(ids, Map.of());

        assertThatThrownBy(settings::validate).hasMessageContaining("--relay-shards (PIPELINE_RELAY_SHARDS) is 3, must be 1, 2, 4 or 8");
        assertThatThrownBy(ids::validate).hasMessageContaining("--relay-shard-ids (PIPELINE_RELAY_SHARD_IDS) has '2': name each shard once,"
                + " by a number from 0 to 1");
    }
}

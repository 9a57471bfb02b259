package dev.projections.pipelinecli;

import dev.projections.migrations.Migrations;
import dev.projections.settings.DatabaseSettings;
import dev.projections.settings.Settings;
import java.util.concurrent.Callable;
import org.flywaydb.core.api.output.MigrateResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Apply the Flyway migrations (schemas eventstore and readmodel) and exit.")
final class MigrateCommand implements Callable<Integer> {

    @Mixin
    SettingOptions options;

    @Override
    public Integer call() {
        Settings settings = Settings.fromEnvironment(options.flags());
        DatabaseSettings database = DatabaseSettings.from(settings);
        settings.validate();
        MigrateResult result = Migrations.migrate(database.jdbcUrl(), database.user(), database.password());
        System.out.printf("migrated %s: %d migration(s) applied, schema version %s%n", database.redactedUrl(),
                result.migrationsExecuted, result.targetSchemaVersion == null ? "unchanged" : result.targetSchemaVersion);
        return 0;
    }
}

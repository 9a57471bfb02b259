package dev.projections.pipelinetools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.projections.settings.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

/**
 * docs/configuration.md against the code: a flag or setting added without a line in the reference fails the
 * build, and so does a line about a setting that no longer exists.
 */
class ConfigurationReferenceTest {

    private static final Pattern VARIABLE = Pattern.compile("PIPELINE_[A-Z0-9_]*[A-Z0-9]");

    private static String reference;

    @BeforeAll
    static void read() throws IOException {
        reference = Files.readString(DeploymentFiles.root().resolve("docs/configuration.md"));
    }

    @Test
    void everySettingOfTheComponentsIsDocumentedWithItsVariable() {
        assertThat(SettingsCatalogue.keys()).isNotEmpty().allSatisfy(key -> assertThat(reference)
                .as("docs/configuration.md documents the setting %s", key)
                .contains("`" + key + "`", "`" + Settings.variableName(key) + "`"));
    }

    @Test
    void everyVariableTheReferenceNamesIsOneThePipelineKnows() {
        Matcher variable = VARIABLE.matcher(reference);
        List<String> named = new ArrayList<>();
        while (variable.find()) {
            // PIPELINE_KAFKA_CLIENT_<PROPERTY> ends before the placeholder
            if (!variable.group().equals("PIPELINE_KAFKA_CLIENT")) {
                named.add(variable.group());
            }
        }
        assertThat(named).isNotEmpty().allSatisfy(name -> assertThat(SettingsCatalogue.knows(name))
                .as("docs/configuration.md names %s, which no command reads", name).isTrue());
    }

    @Test
    void everyFlagOfEveryCommandIsDocumentedInTheCommandsSection() {
        List<CommandLine> commands = new ArrayList<>();
        collect(PipelineTools.commandLine(), commands);
        assertThat(commands).hasSizeGreaterThan(10);
        for (CommandLine command : commands) {
            String path = command.getCommandSpec().qualifiedName(" ");
            String section = section(path);
            for (OptionSpec option : command.getCommandSpec().options()) {
                if (option.usageHelp() || option.versionHelp() || option.inherited()) {
                    continue;
                }
                assertThat(section).as("docs/configuration.md documents %s under \"### `%s`\"", option.longestName(), path)
                        .contains("`" + option.longestName());
            }
        }
    }

    /** Every command a user types; hidden ones (the broker chaos starts) are not. */
    private static void collect(CommandLine command, List<CommandLine> into) {
        if (command.getCommandSpec().usageMessage().hidden()) {
            return;
        }
        into.add(command);
        command.getSubcommands().values().forEach(subcommand -> collect(subcommand, into));
    }

    /** The text under the heading of one command, up to the next heading. */
    private static String section(String path) {
        String heading = "### `" + path + "`\n";
        int start = reference.indexOf(heading);
        assertThat(start).as("docs/configuration.md has a section \"### `%s`\"", path).isNotNegative();
        int end = reference.indexOf("\n#", start + heading.length());
        return reference.substring(start, end < 0 ? reference.length() : end);
    }
}

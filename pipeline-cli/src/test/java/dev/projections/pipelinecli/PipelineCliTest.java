package dev.projections.pipelinecli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class PipelineCliTest {

    @Test
    void givenARelayWithThreeBadSettings_whenStarted_thenAllThreeArePrintedAndItExitsWith2() {
        StringWriter err = new StringWriter();
        CommandLine cli = PipelineCli.commandLine();
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("relay", "--db-url", "postgres://localhost/events", "--kafka-bootstrap-servers", "kafka:notaport",
                "--set", "topic-partitions=-4");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains(
                "3 invalid settings:",
                "--db-url (PIPELINE_DB_URL) must be a PostgreSQL JDBC URL",
                "--kafka-bootstrap-servers (PIPELINE_KAFKA_BOOTSTRAP_SERVERS) has 'kafka:notaport', not a host:port address",
                "--topic-partitions (PIPELINE_TOPIC_PARTITIONS) is -4, must be between 1 and 10000");
    }

    @Test
    void givenAnUnknownReadModel_whenAProjectorIsStarted_thenTheKnownOnesAreNamed() {
        StringWriter err = new StringWriter();
        CommandLine cli = PipelineCli.commandLine();
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("projector", "invoices", "--db-url", "jdbc:postgresql://localhost/events?user=p",
                "--kafka-bootstrap-servers", "localhost:9092");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("read model 'invoices' is unknown; known: conversation, customer, document, semantic-ir");
    }

    @Test
    void givenTheReadModelsOnTheClassPath_whenACommandTakingOneShowsItsHelp_thenItListsThem() {
        for (String command : List.of("projector", "replay", "verify")) {
            StringWriter out = new StringWriter();
            CommandLine cli = PipelineCli.commandLine();
            cli.setOut(new PrintWriter(out));

            cli.execute(command, "--help");

            assertThat(out.toString().replaceAll("\\s+", " ")).as(command).contains("conversation, customer, document, semantic-ir");
        }
    }

    @Test
    void givenNoChoice_whenTheLogFormatIsChosen_thenACommandRunAtATerminalLogsTextAndEveryOtherJson() {
        Set<String> atTerminal = Set.of("local");
        assertThat(LogFormat.chosen(List.of("local"), Map.of(), atTerminal)).isEqualTo("text");
        assertThat(LogFormat.chosen(List.of("relay"), Map.of(), atTerminal)).isEqualTo("json");
        assertThat(LogFormat.chosen(List.of("relay"), Map.of("PIPELINE_LOG_FORMAT", "text"), atTerminal)).isEqualTo("text");
        assertThat(LogFormat.chosen(List.of("local", "--log-format", "json"), Map.of(), atTerminal)).isEqualTo("json");
        assertThat(LogFormat.chosen(List.of("projector", "document", "--log-format=text"), Map.of(), atTerminal)).isEqualTo("text");
    }

    @Test
    void givenNoCommand_whenRun_thenUsageListsEveryProductionCommandAndNoTool() {
        StringWriter out = new StringWriter();
        CommandLine cli = PipelineCli.commandLine();
        cli.setOut(new PrintWriter(out));

        cli.execute("--help");

        assertThat(out.toString()).contains("\n  migrate ", "\n  writer ", "\n  relay ", "\n  projector ", "\n  replay ", "\n  status ",
                "\n  verify ", "\n  parked ").doesNotContain("\n  local ", "\n  bench ", "\n  chaos ", "\n  broker ");
    }

    @Test
    void givenASettingTheCommandDoesNotHave_whenARelayIsStarted_thenItIsRefusedWithTheSettingsItHas() {
        StringWriter err = new StringWriter();
        CommandLine cli = PipelineCli.commandLine();
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("relay", "--db-url", "jdbc:postgresql://localhost/events?user=p", "--kafka-bootstrap-servers", "localhost:9092",
                "--set", "topic-partitons=12");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--topic-partitons (PIPELINE_TOPIC_PARTITONS) is not a setting of this command; its settings: ")
                .contains("topic-partitions");
    }
}

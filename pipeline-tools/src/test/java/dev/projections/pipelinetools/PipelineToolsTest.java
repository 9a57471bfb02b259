package dev.projections.pipelinetools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class PipelineToolsTest {

    @Test
    void givenTheToolsInstalled_whenTheUsageIsAskedFor_thenItListsEveryProductionCommandAndEveryTool() {
        StringWriter out = new StringWriter();
        CommandLine cli = PipelineTools.commandLine();
        cli.setOut(new PrintWriter(out));

        cli.execute("--help");

        assertThat(out.toString()).contains("migrate", "writer", "relay", "projector", "replay", "status", "verify", "parked", "local",
                "broker", "bench", "chaos");
    }

    @Test
    void givenBadBenchFigures_whenRun_thenEveryProblemIsListedAndItExitsWith2() {
        CommandLine cli = PipelineTools.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("bench", "--documents", "0", "--rates", "1000,-5", "--instances", "-1");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("3 invalid settings:", "--documents is 0", "--rates has [1000, -5]", "--instances has [-1]");
    }
}

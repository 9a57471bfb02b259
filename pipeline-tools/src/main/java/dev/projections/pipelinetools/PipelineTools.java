package dev.projections.pipelinetools;

import dev.projections.pipelinecli.PipelineCli;
import java.util.Set;
import picocli.CommandLine;

/**
 * {@code bin/pipeline} where the tools are installed (the source tree, the tarball): the production commands
 * and, beside them, local mode, the broker it runs, bench and chaos. The launcher starts this only for a tool's
 * command, so a production command never has the tools on its classpath.
 */
public final class PipelineTools {

    /** The tools' commands, which a person runs at a terminal: they log as text unless told otherwise. */
    static final Set<String> COMMANDS = Set.of("local", "broker", "bench", "chaos");

    private PipelineTools() {
    }

    public static void main(String[] args) {
        System.exit(PipelineCli.run(commandLine(), args, COMMANDS));
    }

    static CommandLine commandLine() {
        return PipelineCli.commandLine().addSubcommand(new LocalCommand()).addSubcommand(new BrokerCommand())
                .addSubcommand(new BenchCommand()).addSubcommand(new ChaosCommand());
    }
}

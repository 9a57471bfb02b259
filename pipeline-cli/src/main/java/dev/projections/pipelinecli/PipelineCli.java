package dev.projections.pipelinecli;

import dev.projections.settings.Causes;
import dev.projections.settings.InvalidSettingsException;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine;

/**
 * {@code bin/pipeline}: the one entry point of every component. These are the production commands; the
 * tools (local mode, bench, chaos) add theirs to the same command line when they are installed.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true, versionProvider = PipelineCli.Version.class,
        description = "Projection pipeline: eventstore.events -> Debezium -> Kafka -> Kafka Streams -> read models.",
        subcommands = {MigrateCommand.class, WriterCommand.class, RelayCommand.class, ProjectorCommand.class, ReplayCommand.class,
                StatusCommand.class, VerifyCommand.class, ParkedCommand.class, RepublishCommand.class, ReshardCommand.class, ApiKeyCommand.class})
public final class PipelineCli {

    /** Exit code of a command whose settings are invalid. */
    static final int INVALID_SETTINGS = 2;

    @Option(names = LogFormat.FLAG, scope = ScopeType.INHERIT, paramLabel = "json|text",
            description = "Log lines as JSON (the default) or as text (the default of local); also PIPELINE_LOG_FORMAT")
    String logFormat;

    public static void main(String[] args) {
        System.exit(run(commandLine(), args, Set.of()));
    }

    /**
     * Runs a command, its logs in the format chosen (see {@link LogFormat}).
     *
     * @param textLogCommands commands a person runs at a terminal, which log as text unless told otherwise
     * @return the command's exit status
     */
    public static int run(CommandLine commandLine, String[] args, Set<String> textLogCommands) {
        LogFormat.apply(args, System.getenv(), textLogCommands);
        return commandLine.execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new PipelineCli());
        commandLine.setExecutionExceptionHandler((error, line, parsed) -> {
            if (error instanceof InvalidSettingsException invalid) {
                line.getErr().println(line.getCommandName() + ": " + invalid.getMessage());
                return INVALID_SETTINGS;
            }
            line.getErr().println(line.getCommandName() + ": " + Causes.describe(error));
            return 1;
        });
        return commandLine;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = PipelineCli.class.getPackage().getImplementationVersion();
            return new String[] {"pipeline " + (version == null ? "development build" : version)};
        }
    }
}

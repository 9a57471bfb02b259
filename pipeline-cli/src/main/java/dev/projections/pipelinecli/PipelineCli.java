package dev.projections.pipelinecli;

import dev.projections.settings.InvalidSettingsException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code bin/pipeline}: the one entry point of every component. */
@Command(name = "pipeline", mixinStandardHelpOptions = true, versionProvider = PipelineCli.Version.class,
        description = "Projection pipeline: eventstore.events -> Debezium -> Kafka -> Kafka Streams -> read models.",
        subcommands = {LocalCommand.class, MigrateCommand.class, WriterCommand.class, RelayCommand.class,
                ProjectorCommand.class, ReplayCommand.class, StatusCommand.class, VerifyCommand.class, ParkedCommand.class,
                BenchCommand.class, ChaosCommand.class, BrokerCommand.class})
public final class PipelineCli {

    /** Exit code of a command whose settings are invalid. */
    static final int INVALID_SETTINGS = 2;

    @Option(names = LogFormat.FLAG, scope = ScopeType.INHERIT, paramLabel = "json|text",
            description = "Log lines as JSON (the default) or as text (the default of local); also PIPELINE_LOG_FORMAT")
    String logFormat;

    public static void main(String[] args) {
        LogFormat.apply(args, System.getenv());
        int status;
        try {
            status = commandLine().execute(args);
        } catch (NoClassDefFoundError missing) {
            if (!String.valueOf(missing.getMessage()).contains("embeddedservices")) {
                throw missing;
            }
            // the container image leaves the embedded PostgreSQL and Kafka broker out
            System.err.println("pipeline: this command runs on the embedded PostgreSQL and Kafka broker of lib/local, which this"
                    + " installation leaves out; run it from the distribution's tarball or the source tree");
            status = 1;
        }
        System.exit(status);
    }

    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new PipelineCli());
        commandLine.setExecutionExceptionHandler((error, line, parsed) -> {
            if (error instanceof InvalidSettingsException invalid) {
                line.getErr().println(line.getCommandName() + ": " + invalid.getMessage());
                return INVALID_SETTINGS;
            }
            line.getErr().println(line.getCommandName() + ": " + describe(error));
            return 1;
        });
        return commandLine;
    }

    private static String describe(Throwable error) {
        StringBuilder text = new StringBuilder(String.valueOf(error.getMessage()));
        for (Throwable cause = error.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
                text.append(": ").append(cause.getMessage());
            }
        }
        return text.toString();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = PipelineCli.class.getPackage().getImplementationVersion();
            return new String[] {"pipeline " + (version == null ? "development build" : version)};
        }
    }
}

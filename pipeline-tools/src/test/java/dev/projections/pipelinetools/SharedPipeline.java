package dev.projections.pipelinetools;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine;

/** One local pipeline per test JVM, as local mode starts it, stopped when the JVM exits. */
final class SharedPipeline {

    private static LocalPipeline instance;

    private SharedPipeline() {
    }

    static synchronized LocalPipeline get() throws InterruptedException {
        if (instance == null) {
            instance = LocalPipeline.start(new LocalPipeline.Setup(0, 0, 0, 0, null, true, Map.of()));
            Runtime.getRuntime().addShutdownHook(new Thread(instance::close, "shared-pipeline-stop"));
            instance.awaitReady(Duration.ofMinutes(2));
        }
        return instance;
    }

    /** What a command printed, and its exit status. */
    record Run(int exit, String out, String err) {
    }

    /** Runs a bin/pipeline command in this JVM against the shared pipeline's PostgreSQL and Kafka. */
    static synchronized Run command(String... args) throws InterruptedException {
        return command(get(), args);
    }

    /** Runs a bin/pipeline command in this JVM against the pipeline's PostgreSQL and Kafka. */
    static synchronized Run command(LocalPipeline pipeline, String... args) {
        String[] full = new String[args.length + 4];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--db-url";
        full[args.length + 1] = pipeline.jdbcUrl();
        full[args.length + 2] = "--kafka-bootstrap-servers";
        full[args.length + 3] = pipeline.bootstrapServers();
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream capturedOut = new ByteArrayOutputStream();
        ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
        StringWriter picocliErr = new StringWriter();
        try {
            System.setOut(new PrintStream(capturedOut, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(capturedErr, true, StandardCharsets.UTF_8));
            CommandLine cli = PipelineTools.commandLine();
            cli.setErr(new PrintWriter(picocliErr, true));
            int exit = cli.execute(full);
            return new Run(exit, capturedOut.toString(StandardCharsets.UTF_8), capturedErr.toString(StandardCharsets.UTF_8) + picocliErr);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}

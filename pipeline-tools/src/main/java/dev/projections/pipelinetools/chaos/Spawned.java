package dev.projections.pipelinetools.chaos;

import dev.projections.pipelinetools.PipelineProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One of the deployment's processes, {@code bin/pipeline <arguments>}, which a fault may kill and a restart bring back. */
final class Spawned {

    private final String name;
    private final List<String> arguments;
    private final Map<String, String> settings;
    private final Path log;
    private Process process;
    private int starts;
    private int exits;

    Spawned(String name, Map<String, String> settings, Path logs, String... arguments) {
        this.name = name;
        this.arguments = List.of(arguments);
        this.settings = settings;
        this.log = logs.resolve(name + ".log");
    }

    String name() {
        return name;
    }

    synchronized void start() throws IOException {
        noteExit();
        ProcessBuilder builder = PipelineProcess.builder(settings, arguments).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Files.writeString(log, "--- start " + (++starts) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        process = builder.start();
    }

    /** kill -9: no shutdown hook, no goodbye to the group or the database. */
    synchronized void kill() throws InterruptedException {
        noteExit();
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            process = null;
        }
    }

    /** SIGTERM, as an operator stops it; for good after the timeout. */
    synchronized void stop(Duration timeout) throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** How often it ended without being killed or stopped: a process of a deployment must not give up by itself. */
    synchronized int exitsOnItsOwn() {
        noteExit();
        return exits;
    }

    private void noteExit() {
        if (process != null && !process.isAlive()) {
            exits++;
            process = null;
        }
    }

    synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    /** Whether its log has the line since its last start. */
    boolean logged(String text) throws IOException {
        String content = Files.readString(log);
        return content.substring(content.lastIndexOf("--- start ")).contains(text);
    }

    Path log() {
        return log;
    }
}

package dev.projections.pipelinetools;

import dev.projections.pipelinecli.LogFormat;
import dev.projections.settings.Settings;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code bin/pipeline <arguments>} as a process of its own, started the way the bench and chaos start their parts. */
public final class PipelineProcess {

    private PipelineProcess() {
    }

    /**
     * The same Java, classpath and heap as this process (no profiler or debugger of its), the compiler
     * bin/pipeline would choose for the command, every setting as its
     * {@code PIPELINE_*} variable as a deployment passes them (no password on a command line), logs as text,
     * standard error into standard output; the caller says where that goes.
     *
     * @param settings by key; a null value is not set
     */
    public static ProcessBuilder builder(Map<String, String> settings, List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(argument -> argument.startsWith("-Xm"))
                .forEach(command::add);
        if (!arguments.isEmpty() && arguments.get(0).equals("replay") && Runtime.getRuntime().availableProcessors() <= 2) {
            // as bin/pipeline starts it: a replay is over before C2's compiling would pay for its core
            command.add("-XX:TieredStopAtLevel=1");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), PipelineTools.class.getName()));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        settings.forEach((key, value) -> {
            if (value != null) {
                builder.environment().put(Settings.variableName(key), value);
            }
        });
        builder.environment().put(LogFormat.VARIABLE, "text");
        return builder;
    }
}

package dev.projections.pipelinetools;

import dev.projections.pipelinecli.LogFormat;
import dev.projections.pipelinecli.PipelineCli;
import dev.projections.projectorstreams.Projections;
import dev.projections.settings.Settings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;

/**
 * The settings the pipeline knows: the keys its components read, as each command lists them when given one it
 * does not have, and the variables of bin/pipeline itself.
 */
final class SettingsCatalogue {

    /** Read by the launcher scripts and before the command line is parsed, not as settings. */
    static final Set<String> LAUNCHER_VARIABLES = Set.of("PIPELINE_JAVA_OPTS", LogFormat.VARIABLE);
    /** Any Kafka client property: PIPELINE_KAFKA_CLIENT_SECURITY_PROTOCOL is security.protocol. */
    static final String KAFKA_CLIENT_PREFIX = "PIPELINE_KAFKA_CLIENT_";

    private static final Pattern LISTED = Pattern.compile("is not a setting of this command; its settings: (.*)");
    private static final Set<String> KEYS = readKeys();
    private static final Set<String> VARIABLES = KEYS.stream().map(Settings::variableName).collect(Collectors.toSet());

    private SettingsCatalogue() {
    }

    /** Every key the long-running components' settings read, as their commands list them. */
    static Set<String> keys() {
        return KEYS;
    }

    private static Set<String> readKeys() {
        List<List<String>> commands = new ArrayList<>(List.of(List.of("relay"), List.of("writer")));
        Projections.names().forEach(readModel -> commands.add(List.of("projector", readModel)));
        Set<String> keys = new TreeSet<>();
        for (List<String> command : commands) {
            StringWriter err = new StringWriter();
            CommandLine cli = PipelineCli.commandLine();
            cli.setErr(new PrintWriter(err));
            List<String> args = new ArrayList<>(command);
            args.addAll(List.of("--db-url", "jdbc:postgresql://localhost/events?user=p", "--set", "no-such-setting=1"));
            cli.execute(args.toArray(String[]::new));
            Matcher listed = LISTED.matcher(err.toString());
            if (!listed.find()) {
                throw new IllegalStateException(command + " did not list its settings: " + err);
            }
            keys.addAll(List.of(listed.group(1).strip().split(", ")));
        }
        return Collections.unmodifiableSet(keys);
    }

    static boolean knows(String variable) {
        return LAUNCHER_VARIABLES.contains(variable)
                || variable.startsWith(KAFKA_CLIENT_PREFIX) && variable.length() > KAFKA_CLIENT_PREFIX.length()
                || VARIABLES.contains(variable);
    }
}

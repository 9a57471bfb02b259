package dev.projections.pipelinecli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * Logs are JSON lines ({@code logback.xml}) except where the operator asks for text with
 * {@code --log-format text} or {@code PIPELINE_LOG_FORMAT=text}; the commands a person runs at a terminal (the
 * tools' local mode, bench and chaos) default to text.
 */
public final class LogFormat {

    static final String FLAG = "--log-format";
    public static final String VARIABLE = "PIPELINE_LOG_FORMAT";

    private LogFormat() {
    }

    /** Chooses the format before the command runs, so its first line is already in it. */
    static void apply(String[] args, Map<String, String> environment, Set<String> textLogCommands) {
        String format = chosen(List.of(args), environment, textLogCommands);
        if ("text".equals(format)) {
            LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
            context.reset();
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            try {
                configurator.doConfigure(LogFormat.class.getClassLoader().getResource("logback-text.xml"));
            } catch (JoranException e) {
                System.err.println("cannot switch logs to text: " + e.getMessage());
            }
        }
    }

    static String chosen(List<String> args, Map<String, String> environment, Set<String> textLogCommands) {
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).startsWith(FLAG + "=")) {
                return args.get(i).substring(FLAG.length() + 1);
            }
            if (args.get(i).equals(FLAG) && i + 1 < args.size()) {
                return args.get(i + 1);
            }
        }
        if (environment.get(VARIABLE) != null) {
            return environment.get(VARIABLE);
        }
        return !args.isEmpty() && textLogCommands.contains(args.get(0)) ? "text" : "json";
    }
}

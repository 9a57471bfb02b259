package dev.projections.settings;

import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The settings of one command, read from its flags and from {@code PIPELINE_*} environment variables
 * (a flag wins). Every read records its problem instead of failing, so that {@link #validate()} can
 * report all of them at once, each named by its flag and its variable.
 */
public final class Settings {

    private static final Pattern PLACEHOLDER = Pattern.compile(
            "(?i)(changeme|change-me|todo|xxx+|<[^>]*>|\\$\\{[^}]*}|your[-_].*)");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private final Map<String, String> flags;
    private final Map<String, String> environment;
    private final List<String> problems = new ArrayList<>();
    private final Set<String> keysRead = new LinkedHashSet<>();

    private Settings(Map<String, String> flags, Map<String, String> environment) {
        this.flags = Map.copyOf(flags);
        this.environment = Map.copyOf(environment);
    }

    /** @param flags values given on the command line, by key ({@code db-url}); absent keys are not set */
    public static Settings of(Map<String, String> flags, Map<String, String> environment) {
        Map<String, String> given = new HashMap<>();
        flags.forEach((key, value) -> {
            if (value != null) {
                given.put(key, value);
            }
        });
        return new Settings(given, environment);
    }

    public static Settings fromEnvironment(Map<String, String> flags) {
        return of(flags, System.getenv());
    }

    public static String variableName(String key) {
        return "PIPELINE_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    public static String describe(String key) {
        return "--" + key + " (" + variableName(key) + ")";
    }

    public Optional<String> optional(String key) {
        keysRead.add(key);
        String value = flags.containsKey(key) ? flags.get(key) : environment.get(variableName(key));
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String trimmed = value.trim();
        if (PLACEHOLDER.matcher(trimmed).matches()) {
            problem(key, "is a placeholder value, set a real one");
            return Optional.empty();
        }
        return Optional.of(trimmed);
    }

    public String required(String key) {
        Optional<String> value = optional(key);
        if (value.isEmpty() && !hasProblem(key)) {
            problem(key, "is required");
        }
        return value.orElse(null);
    }

    public String string(String key, String defaultValue) {
        return optional(key).orElse(defaultValue);
    }

    /** A secret is never echoed: problems name the setting, never its value. */
    public Optional<String> secret(String key) {
        return optional(key);
    }

    public int integer(String key, int defaultValue, int min, int max) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.get());
            if (value < min || value > max) {
                problem(key, "is " + value + ", must be between " + min + " and " + max);
                return defaultValue;
            }
            return value;
        } catch (NumberFormatException e) {
            problem(key, "is '" + raw.get() + "', not a whole number");
            return defaultValue;
        }
    }

    public boolean flag(String key, boolean defaultValue) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        switch (raw.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> {
                return true;
            }
            case "false", "no", "0", "off" -> {
                return false;
            }
            default -> {
                problem(key, "is '" + raw.get() + "', must be true or false");
                return defaultValue;
            }
        }
    }

    /** Durations are written {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code PT10S}). */
    public Duration duration(String key, Duration defaultValue) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        Optional<Duration> duration = parseDuration(raw.get());
        if (duration.isEmpty()) {
            problem(key, "is '" + raw.get() + "', not a duration such as 500ms, 10s or 5m");
        }
        return duration.orElse(defaultValue);
    }

    /** A duration written {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code PT10S}); empty when it is none. */
    public static Optional<Duration> parseDuration(String raw) {
        var matcher = DURATION.matcher(raw);
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            return Optional.of(switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            });
        }
        try {
            return Optional.of(Duration.parse(raw));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    public List<String> list(String key, List<String> defaultValue) {
        return optional(key)
                .map(value -> Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(defaultValue);
    }

    /** A JDBC URL of PostgreSQL; the value is not echoed since it may carry a password. */
    public String jdbcUrl(String key) {
        String url = required(key);
        if (url != null && !url.startsWith("jdbc:postgresql:")) {
            problem(key, "must be a PostgreSQL JDBC URL such as jdbc:postgresql://localhost:5432/pipeline");
            return null;
        }
        return url;
    }

    /** A comma-separated list of host:port pairs, as Kafka's bootstrap.servers. */
    public String hostPorts(String key) {
        String value = required(key);
        if (value == null) {
            return null;
        }
        for (String address : value.split(",")) {
            if (!validHostPort(address.trim())) {
                problem(key, "has '" + address.trim() + "', not a host:port address");
                return null;
            }
        }
        return value;
    }

    /** A TCP port to listen on; 0 picks a free one. */
    public int port(String key, int defaultValue) {
        return integer(key, defaultValue, 0, 65535);
    }

    public void problem(String key, String message) {
        problems.add(describe(key) + " " + message);
    }

    public void problem(String message) {
        problems.add(message);
    }

    /**
     * Like {@link #validate()}, for a command whose settings have all been read: a flag no read asked for
     * ({@code --set projector-threds=2}) is a problem too, listed with the settings the command has.
     */
    public void validateAllRead() {
        for (String key : new TreeSet<>(flags.keySet())) {
            if (!keysRead.contains(key)) {
                problem(describe(key) + " is not a setting of this command; its settings: " + String.join(", ", new TreeSet<>(keysRead)));
            }
        }
        validate();
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** @throws InvalidSettingsException listing every problem found by the reads so far */
    public void validate() {
        if (!problems.isEmpty()) {
            throw new InvalidSettingsException(problems);
        }
    }

    private boolean hasProblem(String key) {
        String prefix = describe(key) + " ";
        return problems.stream().anyMatch(p -> p.startsWith(prefix));
    }

    private static boolean validHostPort(String address) {
        try {
            URI uri = new URI("kafka://" + address);
            return uri.getHost() != null && uri.getPort() > 0 && uri.getPort() <= 65535
                    && (uri.getPath() == null || uri.getPath().isEmpty());
        } catch (Exception e) {
            return false;
        }
    }
}

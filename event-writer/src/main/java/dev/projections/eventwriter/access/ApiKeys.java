package dev.projections.eventwriter.access;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Named API keys, kept in a file as hashes only: one key a line, {@code <name> sha256:<hex> <scope> ...},
 * with {@code #} comments. Deleting a line revokes its key, and a new line admits one, within a second and
 * without a restart. Keys are random 256-bit secrets, so one SHA-256 is a safe way to store them.
 */
public final class ApiKeys {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    private static final Pattern HASH = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ReloadingFile<Map<String, Caller>> file;

    private ApiKeys(ReloadingFile<Map<String, Caller>> file) {
        this.file = file;
    }

    /** @throws IllegalArgumentException naming the file and the line, when it is missing or a line is malformed */
    public static ApiKeys load(Path path) {
        return new ApiKeys(ReloadingFile.load(path, "API keys file", ApiKeys::parse));
    }

    /** The caller the key belongs to; empty for a key that is unknown or revoked. */
    public Optional<Caller> find(String key) {
        return Optional.ofNullable(file.current().get(hash(key)));
    }

    /** A new key, to give to a client once; its {@link #hash} is what the file keeps. */
    public static String newKey() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return "pk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    public static String hash(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The file's line for a key: its name, its hash and its scopes. */
    public static String line(String name, String key, List<String> scopes) {
        List<String> problems = new ArrayList<>();
        check(name, scopes, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return name + " " + hash(key) + " " + String.join(" ", scopes);
    }

    static Map<String, Caller> parse(String text) {
        Map<String, Caller> keys = new HashMap<>();
        Set<String> names = new HashSet<>();
        List<String> problems = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int number = 1; number <= lines.length; number++) {
            String line = lines[number - 1].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+");
            List<String> lineProblems = new ArrayList<>();
            if (fields.length < 3) {
                lineProblems.add("needs a name, a sha256:<hex> hash and at least one scope");
            } else {
                if (!HASH.matcher(fields[1]).matches()) {
                    lineProblems.add("has no hash of the form sha256:<64 lowercase hex digits> (bin/pipeline api-key prints one)");
                }
                List<String> scopes = Arrays.asList(fields).subList(2, fields.length);
                check(fields[0], scopes, lineProblems);
                if (!names.add(fields[0])) {
                    lineProblems.add("repeats the name " + fields[0]);
                }
                if (lineProblems.isEmpty()) {
                    keys.put(fields[1], new Caller(fields[0], new LinkedHashSet<>(scopes)));
                }
            }
            for (String problem : lineProblems) {
                problems.add("line " + number + " " + problem);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return keys;
    }

    private static void check(String name, List<String> scopes, List<String> problems) {
        if (!NAME.matcher(name).matches()) {
            problems.add("has the name '" + name + "': use 1 to 64 letters, digits, '.', '_', '@' or '-'");
        }
        for (String scope : scopes) {
            if (!Action.isScope(scope)) {
                problems.add("has the scope '" + scope + "': use events:append:<type>, events:read:<type> or projections:read:<type>"
                        + " (<type> an aggregate type or *)");
            }
        }
    }
}

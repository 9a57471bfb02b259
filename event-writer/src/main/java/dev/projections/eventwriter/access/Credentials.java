package dev.projections.eventwriter.access;

import dev.projections.settings.Settings;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How the writer knows its callers: bearer tokens, API keys, both, or (in local mode, or where an operator
 * says so) nobody at all. It reads a request's {@code Authorization} header, {@code Bearer <jwt>} or
 * {@code ApiKey <key>}, and answers a caller or a refusal.
 */
public final class Credentials {

    public static final String AUTH = "http-auth";
    public static final String JWKS_URL = "jwt-jwks-url";
    public static final String JWT_KEY_FILE = "jwt-key-file";
    public static final String JWT_ISSUER = "jwt-issuer";
    public static final String JWT_AUDIENCE = "jwt-audience";
    public static final String API_KEYS_FILE = "api-keys-file";

    private static final String REALM = "realm=\"event-writer\"";

    private final BearerTokens tokens;
    private final ApiKeys keys;
    private final String challenge;

    private Credentials(BearerTokens tokens, ApiKeys keys) {
        this.tokens = tokens;
        this.keys = keys;
        List<String> schemes = new ArrayList<>();
        if (tokens != null) {
            schemes.add("Bearer " + REALM);
        }
        if (keys != null) {
            schemes.add("ApiKey " + REALM);
        }
        this.challenge = String.join(", ", schemes);
    }

    /** A writer open to anyone, as in local mode. */
    public static Credentials none() {
        return new Credentials(null, null);
    }

    /**
     * From the settings: required unless {@code http-auth} is off, in which case none may be given. The key
     * files are read now, so that a missing or malformed one is a bad setting reported at start.
     */
    public static Credentials from(Settings settings) {
        boolean required = settings.flag(AUTH, true);
        Optional<String> jwksUrl = settings.optional(JWKS_URL);
        Optional<String> keyFile = settings.optional(JWT_KEY_FILE);
        Optional<String> issuer = settings.optional(JWT_ISSUER);
        Optional<String> audience = settings.optional(JWT_AUDIENCE);
        Optional<String> apiKeysFile = settings.optional(API_KEYS_FILE);
        if (!required) {
            for (String key : List.of(JWKS_URL, JWT_KEY_FILE, API_KEYS_FILE)) {
                if (settings.optional(key).isPresent()) {
                    settings.problem(key, "is set while " + Settings.describe(AUTH) + " is off: turn authentication on or leave it unset");
                }
            }
            return none();
        }
        BearerTokens tokens = null;
        if (jwksUrl.isPresent() && keyFile.isPresent()) {
            settings.problem(JWT_KEY_FILE, "and " + Settings.describe(JWKS_URL) + " are both set: verify tokens against one of them");
        } else if (jwksUrl.isPresent() || keyFile.isPresent()) {
            if (issuer.isEmpty()) {
                settings.problem(JWT_ISSUER, "is required to check bearer tokens: the issuer (iss) your tokens carry");
            }
            if (audience.isEmpty()) {
                settings.problem(JWT_AUDIENCE, "is required to check bearer tokens: the audience (aud) your tokens are made for");
            }
            tokens = tokens(settings, jwksUrl, keyFile, issuer.orElse(null), audience.orElse(null));
        }
        ApiKeys keys = apiKeysFile.map(file -> apiKeys(settings, file)).orElse(null);
        if (tokens == null && keys == null && jwksUrl.isEmpty() && keyFile.isEmpty() && apiKeysFile.isEmpty()) {
            settings.problem(AUTH, "is on, the default, but no credentials are set: give " + Settings.describe(JWKS_URL) + " or "
                    + Settings.describe(JWT_KEY_FILE) + " for bearer tokens, or " + Settings.describe(API_KEYS_FILE)
                    + " for API keys; or turn it off to serve anyone who reaches the port");
        }
        return new Credentials(tokens, keys);
    }

    private static BearerTokens tokens(Settings settings, Optional<String> jwksUrl, Optional<String> keyFile, String issuer, String audience) {
        if (jwksUrl.isPresent()) {
            try {
                URI uri = new URI(jwksUrl.get());
                if (!List.of("https", "http").contains(String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT))) {
                    settings.problem(JWKS_URL, "must be an https:// URL of the issuer's JWKS document");
                    return null;
                }
                return BearerTokens.fromJwksUrl(uri.toURL(), issuer, audience);
            } catch (URISyntaxException | MalformedURLException | IllegalArgumentException e) {
                settings.problem(JWKS_URL, "is not a URL: " + e.getMessage());
                return null;
            }
        }
        try {
            return BearerTokens.fromKeyFile(Path.of(keyFile.get()), issuer, audience);
        } catch (IllegalArgumentException e) {
            settings.problem(JWT_KEY_FILE, "cannot be used: " + e.getMessage());
            return null;
        }
    }

    private static ApiKeys apiKeys(Settings settings, String file) {
        try {
            return ApiKeys.load(Path.of(file));
        } catch (IllegalArgumentException e) {
            settings.problem(API_KEYS_FILE, "cannot be used: " + e.getMessage());
            return null;
        }
    }

    /** Whether callers must say who they are. */
    public boolean required() {
        return tokens != null || keys != null;
    }

    /** @param authorization the request's {@code Authorization} header; null when it has none */
    public Verdict check(String authorization) {
        if (!required()) {
            return new Verdict.Admitted(Caller.ANYONE);
        }
        if (authorization == null || authorization.isBlank()) {
            return refused("credentials are required: send " + accepted());
        }
        String[] parts = authorization.trim().split("\\s+", 2);
        String scheme = parts[0].toLowerCase(Locale.ROOT);
        String credential = parts.length == 2 ? parts[1].trim() : "";
        if (scheme.equals("bearer") && tokens != null) {
            try {
                return new Verdict.Admitted(tokens.verify(credential));
            } catch (BearerTokens.Refused e) {
                return new Verdict.Refused(e.getMessage(), "Bearer " + REALM + ", error=\"invalid_token\"");
            }
        }
        if (scheme.equals("apikey") && keys != null) {
            return keys.find(credential).<Verdict>map(Verdict.Admitted::new)
                    .orElseGet(() -> refused("the API key is unknown or revoked"));
        }
        return refused("the " + parts[0] + " scheme is not accepted here: send " + accepted());
    }

    private Verdict refused(String message) {
        return new Verdict.Refused(message, challenge);
    }

    private String accepted() {
        List<String> forms = new ArrayList<>();
        if (tokens != null) {
            forms.add("Authorization: Bearer <token>");
        }
        if (keys != null) {
            forms.add("Authorization: ApiKey <key>");
        }
        return String.join(" or ", forms);
    }
}

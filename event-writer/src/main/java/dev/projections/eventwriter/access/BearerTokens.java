package dev.projections.eventwriter.access;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.URL;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bearer tokens: JWTs signed with RSA or EC keys, verified against a JWKS URL (fetched again when a token
 * names a key it does not hold, so a signer's new key needs no restart) or a key file (a JWKS document or
 * PEM public keys, read again when it changes). Issuer, audience, expiry and not-before are checked; the
 * subject names the caller and the {@code scope} (or {@code scp}) claim grants the rights. A client sends the
 * same token with each request until it expires, so a token once verified is remembered for up to a minute,
 * never past its expiry: a signature is checked once a minute per token, not once per request.
 */
public final class BearerTokens {

    /** A token that does not hold; the message says why, never echoing the token. */
    public static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    /** The issuer's keys cannot be had now (its JWKS URL does not answer): no token can be checked, whoever sent it. */
    public static final class KeysUnavailable extends RuntimeException {
        KeysUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    private static final Pattern PEM_PUBLIC_KEY = Pattern.compile(
            "-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\\s]+)-----END PUBLIC KEY-----");

    private record Verified(Caller caller, long untilMillis) {
    }

    private static final int REMEMBERED = 10_000;
    private static final long REMEMBER_MILLIS = 60_000;

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    private BearerTokens(JWKSource<SecurityContext> keys, String issuer, String audience) {
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(audience,
                new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "exp")));
    }

    public static BearerTokens fromJwksUrl(URL jwks, String issuer, String audience) {
        return new BearerTokens(JWKSourceBuilder.create(jwks).retrying(true).build(), issuer, audience);
    }

    public static BearerTokens fromKeyFile(Path file, String issuer, String audience) {
        ReloadingFile<JWKSet> keys = ReloadingFile.load(file, "token key file", BearerTokens::parseKeys);
        return new BearerTokens((selector, context) -> {
            List<JWK> found = selector.select(keys.current());
            if (!found.isEmpty()) {
                return found;
            }
            // a PEM key has no key id: it verifies a token whatever key id the token names
            JWKMatcher named = selector.getMatcher();
            JWKMatcher unnamed = new JWKMatcher.Builder().keyTypes(named.getKeyTypes()).curves(named.getCurves()).build();
            return keys.current().getKeys().stream().filter(key -> key.getKeyID() == null && unnamed.matches(key)).toList();
        }, issuer, audience);
    }

    /** The token's caller, once its signature, issuer, audience and times hold. */
    public Caller verify(String token) throws Refused {
        long now = System.currentTimeMillis();
        String digest = ApiKeys.hash(token);
        Verified known = verified.get(digest);
        if (known != null && now < known.untilMillis()) {
            return known.caller();
        }
        try {
            JWTClaimsSet claims = processor.process(token, null);
            Caller caller = new Caller(claims.getSubject(), scopes(claims));
            if (verified.size() >= REMEMBERED) {
                verified.clear();
            }
            verified.put(digest, new Verified(caller, Math.min(now + REMEMBER_MILLIS, claims.getExpirationTime().getTime())));
            return caller;
        } catch (ParseException e) {
            throw new Refused("the bearer token is not a JWT: " + e.getMessage());
        } catch (KeySourceException e) {
            throw new KeysUnavailable("the token issuer's keys cannot be fetched: " + e.getMessage(), e);
        } catch (BadJOSEException | JOSEException e) {
            if (e.getMessage().startsWith("Unsecured")) {
                throw new Refused("the bearer token was refused: it is unsigned (alg: none)");
            }
            throw new Refused("the bearer token was refused: " + e.getMessage());
        }
    }

    private static Set<String> scopes(JWTClaimsSet claims) throws ParseException {
        Set<String> scopes = new LinkedHashSet<>();
        for (String claim : List.of("scope", "scp")) {
            Object value = claims.getClaim(claim);
            if (value instanceof String text) {
                scopes.addAll(Arrays.asList(text.trim().split("\\s+")));
            } else if (value != null) {
                scopes.addAll(claims.getStringListClaim(claim));
            }
        }
        return scopes;
    }

    /** A JWKS document, or one or more PEM public keys ({@code BEGIN PUBLIC KEY}), each RSA or EC. */
    static JWKSet parseKeys(String text) throws Exception {
        if (text.trim().startsWith("{")) {
            return JWKSet.parse(text);
        }
        List<JWK> keys = new ArrayList<>();
        Matcher pem = PEM_PUBLIC_KEY.matcher(text);
        while (pem.find()) {
            byte[] der = Base64.getMimeDecoder().decode(pem.group(1));
            keys.add(jwk(publicKey(der)));
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("it holds neither a JWKS document nor a PEM public key (-----BEGIN PUBLIC KEY-----)");
        }
        return new JWKSet(keys);
    }

    private static PublicKey publicKey(byte[] der) throws Exception {
        X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        try {
            return KeyFactory.getInstance("RSA").generatePublic(spec);
        } catch (InvalidKeySpecException notRsa) {
            return KeyFactory.getInstance("EC").generatePublic(spec);
        }
    }

    private static JWK jwk(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            return new RSAKey.Builder(rsa).build();
        }
        ECPublicKey ec = (ECPublicKey) key;
        return new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec).build();
    }
}

package dev.projections.eventwriter;

import dev.projections.settings.Settings;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The writer's TLS certificate, read at start: a PEM certificate chain with its PKCS#8 key, or a PKCS#12
 * store. A file that cannot be read is a bad setting, named with its flag.
 */
public record WriterTls(KeyStore keyStore, String password) {

    public static final String TLS = "http-tls";
    public static final String CERT_FILE = "tls-cert-file";
    public static final String KEY_FILE = "tls-key-file";
    public static final String KEYSTORE = "tls-keystore";
    public static final String KEYSTORE_PASSWORD = "tls-keystore-password";

    private static final Pattern PKCS8 = Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    /** The certificate the settings name; null, with nothing required, when {@code http-tls} is off. */
    public static WriterTls from(Settings settings) {
        boolean on = settings.flag(TLS, true);
        Optional<String> certificate = settings.optional(CERT_FILE);
        Optional<String> key = settings.optional(KEY_FILE);
        Optional<String> keyStore = settings.optional(KEYSTORE);
        Optional<String> password = settings.secret(KEYSTORE_PASSWORD);
        if (!on) {
            if (certificate.isPresent() || keyStore.isPresent()) {
                settings.problem(TLS, "is off while a certificate is set: turn it on or leave the certificate unset");
            }
            return null;
        }
        if (keyStore.isPresent()) {
            if (certificate.isPresent() || key.isPresent()) {
                settings.problem(KEYSTORE, "and " + Settings.describe(CERT_FILE) + " are both set: give the certificate one way");
                return null;
            }
            return pkcs12(settings, Path.of(keyStore.get()), password.orElse(""));
        }
        if (certificate.isPresent() && key.isPresent()) {
            return pem(settings, Path.of(certificate.get()), Path.of(key.get()));
        }
        if (certificate.isPresent() != key.isPresent()) {
            settings.problem(certificate.isPresent() ? KEY_FILE : CERT_FILE, "is required with " + Settings.describe(
                    certificate.isPresent() ? CERT_FILE : KEY_FILE));
            return null;
        }
        settings.problem(TLS, "is on, the default, but no certificate is set: give " + Settings.describe(CERT_FILE) + " and "
                + Settings.describe(KEY_FILE) + " (PEM) or " + Settings.describe(KEYSTORE) + " (PKCS#12); or turn it off to serve"
                + " plain HTTP behind a proxy that terminates TLS");
        return null;
    }

    private static WriterTls pkcs12(Settings settings, Path file, String password) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            return new WriterTls(store, password);
        } catch (Exception e) {
            settings.problem(KEYSTORE, "cannot be read as a PKCS#12 store with " + Settings.describe(KEYSTORE_PASSWORD) + ": " + e.getMessage());
            return null;
        }
    }

    private static WriterTls pem(Settings settings, Path certificateFile, Path keyFile) {
        Certificate[] chain;
        try (InputStream in = Files.newInputStream(certificateFile)) {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(Certificate[]::new);
            if (chain.length == 0) {
                throw new IllegalArgumentException("it holds no certificate");
            }
        } catch (Exception e) {
            settings.problem(CERT_FILE, "cannot be read as PEM certificates: " + e.getMessage());
            return null;
        }
        try {
            Matcher pem = PKCS8.matcher(Files.readString(keyFile));
            if (!pem.find()) {
                settings.problem(KEY_FILE, "holds no unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----); convert one with"
                        + " openssl pkcs8 -topk8 -nocrypt -in <key> -out <new key>");
                return null;
            }
            PrivateKey key = privateKey(Base64.getMimeDecoder().decode(pem.group(1)));
            byte[] secret = new byte[16];
            new SecureRandom().nextBytes(secret);
            String password = HexFormat.of().formatHex(secret);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("writer", key, password.toCharArray(), chain);
            return new WriterTls(store, password);
        } catch (Exception e) {
            settings.problem(KEY_FILE, "cannot be used with " + Settings.describe(CERT_FILE) + ": " + e.getMessage());
            return null;
        }
    }

    private static PrivateKey privateKey(byte[] der) throws Exception {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(spec);
        } catch (InvalidKeySpecException notRsa) {
            return KeyFactory.getInstance("EC").generatePrivate(spec);
        }
    }
}

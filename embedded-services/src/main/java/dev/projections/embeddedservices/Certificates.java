package dev.projections.embeddedservices;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority of its own, for the TLS of test and local servers: it issues server
 * certificates for given host names and writes them as PEM files and PKCS#12 stores, the forms
 * PostgreSQL, Kafka and the writer read.
 */
public final class Certificates {

    /** The files of one issued certificate; every store is protected by {@link #password()}. */
    public record Issued(Path certificate, Path privateKey, Path keyStore, Path authority, Path trustStore, String password) {

        /** A client's TLS context that trusts this authority, and nothing else. */
        public SSLContext trustingContext() {
            try (InputStream in = Files.newInputStream(trustStore)) {
                KeyStore trusted = KeyStore.getInstance("PKCS12");
                trusted.load(in, password.toCharArray());
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(trusted);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, factory.getTrustManagers(), null);
                return context;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + trustStore + ": " + e.getMessage(), e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot build a TLS context trusting " + trustStore + ": " + e.getMessage(), e);
            }
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration VALIDITY = Duration.ofDays(2);

    private final String name;
    private final KeyPair keys;
    private final X509Certificate certificate;

    private Certificates(String name, KeyPair keys, X509Certificate certificate) {
        this.name = name;
        this.keys = keys;
        this.certificate = certificate;
    }

    /** A new authority, valid for two days, that nothing but its own callers trusts. */
    public static Certificates authority(String name) {
        KeyPair keys = keyPair();
        X500Name subject = new X500Name("CN=" + name);
        X509Certificate certificate = sign(keys, subject, subject, keys, true, null);
        return new Certificates(name, keys, certificate);
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /**
     * Issues a server certificate for the host names (and IP addresses) and writes into {@code directory}:
     * {@code <name>.crt} and {@code <name>.key} (PEM, the key readable by its owner only), {@code <name>.p12}
     * (key and chain), {@code ca.crt} and {@code truststore.p12} (this authority).
     */
    public Issued issue(Path directory, String serverName, List<String> hostNames) {
        try {
            Files.createDirectories(directory);
            KeyPair serverKeys = keyPair();
            GeneralName[] alternatives = hostNames.stream()
                    .map(host -> host.matches("[0-9.]+|.*:.*") ? new GeneralName(GeneralName.iPAddress, host)
                            : new GeneralName(GeneralName.dNSName, host))
                    .toArray(GeneralName[]::new);
            X509Certificate server = sign(serverKeys, new X500Name("CN=" + hostNames.get(0)), new X500Name("CN=" + name), keys, false,
                    new GeneralNames(alternatives));
            String password = Long.toHexString(RANDOM.nextLong()) + Long.toHexString(RANDOM.nextLong());

            Path certificateFile = directory.resolve(serverName + ".crt");
            Files.writeString(certificateFile, pem(server) + pem(certificate));
            Path keyFile = directory.resolve(serverName + ".key");
            Files.writeString(keyFile, pem(serverKeys.getPrivate()));
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
            Path authorityFile = writeAuthority(directory.resolve("ca.crt"));

            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry(serverName, serverKeys.getPrivate(), password.toCharArray(), new Certificate[] {server, certificate});
            Path keyStoreFile = store(keyStore, directory.resolve(serverName + ".p12"), password);
            KeyStore trustStore = KeyStore.getInstance("PKCS12");
            trustStore.load(null, null);
            trustStore.setCertificateEntry(name, certificate);
            Path trustStoreFile = store(trustStore, directory.resolve("truststore.p12"), password);
            return new Issued(certificateFile, keyFile, keyStoreFile, authorityFile, trustStoreFile, password);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write certificates to " + directory + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a key store: " + e.getMessage(), e);
        }
    }

    /** Writes this authority's certificate as PEM, for clients that should trust what it issued. */
    public Path writeAuthority(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.writeString(file, pem(certificate));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static Path store(KeyStore store, Path file, String password) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
        return file;
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no EC key generator: " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(KeyPair subjectKeys, X500Name subject, X500Name issuer, KeyPair issuerKeys, boolean authority,
            GeneralNames alternatives) {
        try {
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM).abs(),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), subject, subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
            builder.addExtension(Extension.keyUsage, true, authority
                    ? new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)
                    : new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement));
            if (alternatives != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, alternatives);
            }
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot sign a certificate for " + subject + ": " + e.getMessage(), e);
        }
    }

    private static String pem(Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object instanceof PrivateKey key ? new JcaPKCS8Generator(key, null) : object);
        }
        return text.toString();
    }
}

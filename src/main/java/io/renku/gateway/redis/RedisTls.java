package io.renku.gateway.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;

/**
 * TLS for the Redis connections. Jedis checks neither host name nor IP address of a Redis server's certificate
 * unless told to, so any certificate the trust store accepts would do, including one issued to another host: we
 * switch on the same endpoint identification HTTPS clients use. The trust anchors are the PEM file an operator names
 * (typically the cluster's own CA, mounted from a secret), or the JVM's trust store when none is named.
 */
final class RedisTls {
    private final SSLSocketFactory sockets;

    private RedisTls(SSLSocketFactory sockets) {
        this.sockets = sockets;
    }

    static RedisTls of(String caFile) {
        try {
            if (caFile.isEmpty()) {
                return new RedisTls(SSLContext.getDefault().getSocketFactory());
            }
            KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            anchors.load(null, null);
            Collection<? extends Certificate> certificates;
            try (InputStream in = Files.newInputStream(Path.of(caFile))) {
                certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("redis.tlsCaFile holds no PEM certificate: " + caFile);
            }
            int n = 0;
            for (Certificate certificate : certificates) {
                anchors.setCertificateEntry("redis-ca-" + n++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(anchors);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return new RedisTls(context.getSocketFactory());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use redis.tlsCaFile " + caFile + ": " + e.getMessage(), e);
        }
    }

    /** Adds TLS with certificate and host checks to a client configuration. */
    DefaultJedisClientConfig.Builder apply(DefaultJedisClientConfig.Builder config) {
        SSLParameters parameters = new SSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        return config.ssl(true).sslSocketFactory(sockets).sslParameters(parameters);
    }
}

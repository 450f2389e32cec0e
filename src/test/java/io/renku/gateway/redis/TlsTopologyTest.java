package io.renku.gateway.redis;

import static io.renku.gateway.redis.Topologies.lifeCycleWorks;
import static io.renku.gateway.redis.Topologies.redisSettings;
import static io.renku.gateway.redis.Topologies.repository;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.config.RedisSettings;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.session.RedisSessionRepository;
import io.renku.gateway.session.SessionIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/**
 * TLS to Redis on the bundled redis-server (built with TLS). Certificates are made at test time with openssl: a
 * private CA, a server certificate for 127.0.0.1 and one for another host name. The gateway must trust exactly the
 * CA it is given and refuse a certificate issued to a different host, even one that CA signed.
 */
class TlsTopologyTest {
    static final String PASSWORD = "tls-pass-2";
    static RedisNodes nodes;
    static RedisNodes.Node server;
    static RedisNodes.Node wrongName;
    static Path ca;

    @BeforeAll
    static void startTlsServers() {
        nodes = new RedisNodes("tls");
        try {
            Path dir = nodes.root();
            openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                    "-days", "2", "-subj", "/CN=gateway-test-ca");
            ca = dir.resolve("ca.pem");
            certificate(dir, "loopback", "subjectAltName=IP:127.0.0.1");
            certificate(dir, "elsewhere", "subjectAltName=DNS:redis.elsewhere.example");
            server = nodes.tlsServer("tls-loopback", RedisNodes.freePort(), tlsLines(dir, "loopback"));
            wrongName = nodes.tlsServer("tls-elsewhere", RedisNodes.freePort(), tlsLines(dir, "elsewhere"));
        } catch (RuntimeException e) {
            nodes.close();
            throw e;
        }
    }

    @AfterAll
    static void stopTlsServers() {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    void sessionsTravelOverTlsToARedissAddressCheckedAgainstTheGivenCa() {
        RedisSettings settings = redisSettings("redis.addresses", "rediss://" + server.address(),
                "redis.tlsCaFile", ca.toString(), "redis.password", PASSWORD);
        try (UnifiedJedis redis = RedisClients.create(settings)) {
            lifeCycleWorks(repository(redis, settings));
        }
    }

    @Test
    void tlsSettingWorksWithAPlainAddress() {
        RedisSettings settings = redisSettings("redis.addresses", server.address(), "redis.tls", "true",
                "redis.tlsCaFile", ca.toString(), "redis.password", PASSWORD);
        try (UnifiedJedis redis = RedisClients.create(settings)) {
            lifeCycleWorks(repository(redis, settings));
        }
    }

    @Test
    void certificateIssuedToAnotherHostIsRefusedEvenFromTheTrustedCa() {
        String causes = failure(redisSettings("redis.addresses", "rediss://" + wrongName.address(),
                "redis.tlsCaFile", ca.toString(), "redis.password", PASSWORD));
        assertTrue(causes.contains("SSLHandshakeException") && causes.contains("127.0.0.1"), causes);
    }

    @Test
    void serverCertificateFromAnUnknownCaIsRefused() {
        String causes = failure(redisSettings("redis.addresses", "rediss://" + server.address(),
                "redis.password", PASSWORD));
        assertTrue(causes.contains("SSLHandshakeException") && causes.contains("PKIX"), causes);
    }

    private static String failure(RedisSettings settings) {
        try (UnifiedJedis redis = RedisClients.create(settings)) {
            RedisSessionRepository repository = repository(redis, settings);
            GatewayException e = assertThrows(GatewayException.class,
                    () -> repository.findById(new SessionIds().generate()));
            assertEquals(ErrorKind.SERVICE_UNAVAILABLE, e.kind());
            return StandaloneTopologyTest.causes(e);
        }
    }

    private static String[] tlsLines(Path dir, String name) {
        return new String[] {"tls-cert-file " + dir.resolve(name + ".pem"), "tls-key-file " + dir.resolve(name + ".key"),
            "tls-ca-cert-file " + dir.resolve("ca.pem"), "tls-auth-clients no", "requirepass " + PASSWORD};
    }

    private static void certificate(Path dir, String name, String extension) {
        try {
            Files.writeString(dir.resolve(name + ".ext"), extension + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", "/CN=" + name);
        openssl(dir, "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext");
    }

    private static void openssl(Path dir, String... arguments) {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("openssl.log").toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " failed: "
                        + Files.readString(dir.resolve("openssl.log")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("openssl is needed to make test certificates", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

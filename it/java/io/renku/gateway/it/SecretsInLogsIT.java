package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.harness.Deployments;
import io.renku.gateway.harness.GatewayIT;
import io.renku.gateway.harness.Http;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * No configured secret appears in the container's logs. The build hands the secrets to the container as
 * {@code GATEWAY_…} variables (pom.xml, failsafe), the way the README tells operators to; this test reads them back
 * from its own environment and greps every log file of the running container (Tomcat's {@code logs/}, or WildFly's
 * {@code log/}) for each value. It caught Tomcat's {@code VersionLoggerListener} printing every {@code -D} argument at
 * start, before {@code logArgs="false"} in server-config/tomcat/server.xml.
 */
@GatewayIT
class SecretsInLogsIT {
    /** The settings that hold secrets (README: every setting marked secret). */
    private static final List<String> SECRET_SETTINGS = List.of("sessions.cookieSigningKeys",
            "login.tokenEncryption.secretKey", "login.providers.renku.clientSecret",
            "login.providers.gitlab.clientSecret", "login.providers.consent.clientSecret", "revproxy.identityAssertion.signingKey", "redis.password",
            "redis.sentinelPassword");

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive gateway() {
        return Deployments.gateway();
    }

    @Test
    void noConfiguredSecretIsInTheContainersLogs() throws Exception {
        // some traffic first, so the gateway's own log lines of a login attempt and a proxied request are there too
        Http http = new Http(base);
        http.get("api/auth/login");
        http.get("api/data/secrets-check");
        Map<String, String> env = System.getenv();
        List<String> secrets = new ArrayList<>();
        for (String setting : SECRET_SETTINGS) {
            String value = env.get("GATEWAY_" + setting.toUpperCase(java.util.Locale.ROOT).replace('.', '_'));
            if (value != null && !value.isBlank()) {
                secrets.addAll(List.of(value.split(",")));
            }
        }
        assertTrue(secrets.size() >= 4, "the build passes the test secrets by environment: " + secrets.size());
        List<Path> logs = logFiles();
        assertFalse(logs.isEmpty(), "no container log found");
        long bytes = 0;
        for (Path log : logs) {
            String text = Files.readString(log, StandardCharsets.ISO_8859_1);
            bytes += text.length();
            for (String secret : secrets) {
                assertFalse(text.contains(secret.trim()), log + " contains the value of a secret setting");
            }
        }
        assertTrue(bytes > 1000, "the container logs hold too little to mean anything: " + bytes + " bytes");
    }

    private static List<Path> logFiles() {
        boolean wildfly = "wildfly".equals(System.getProperty("arquillian.launch"));
        Path dir = wildfly ? Path.of(System.getProperty("it.wildfly.base"), "log")
                : Path.of(System.getProperty("it.tomcat.base"), "logs");
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.harness.Deployments;
import io.renku.gateway.harness.GatewayIT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/** A WAR whose web.xml carries a bad value must not start, and Tomcat's log must say which setting and why. */
@GatewayIT
class BadSettingIT {
    @ArquillianResource
    private Deployer deployer;

    @Deployment(name = "bad-setting", managed = false, testable = false)
    static WebArchive misconfigured() {
        return Deployments.withContextParam("bad-setting.war", "redis.dbIndex", "first");
    }

    @Test
    void deploymentWithBadSettingFailsWithItsName() throws Exception {
        Map<Path, Long> before = logSizes();
        try {
            assertThrows(Exception.class, () -> deployer.deploy("bad-setting"));
        } finally {
            try {
                deployer.undeploy("bad-setting");
            } catch (RuntimeException ignored) {
                // a failed deployment may be gone already
            }
        }
        String expected = "redis.dbIndex must be a whole number from 0 to 65535, was 'first'";
        // Tomcat's file handlers write asynchronously: give them a moment on a busy machine
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!writtenSince(before).contains(expected) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(writtenSince(before).contains(expected), "Tomcat's log does not say: " + expected);
    }

    /** The size of each Tomcat log file now, so the test reads only what this deployment wrote. */
    private static Map<Path, Long> logSizes() throws IOException {
        Map<Path, Long> sizes = new HashMap<>();
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("it.tomcat.base"), "logs"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                sizes.put(file, Files.size(file));
            }
        }
        return sizes;
    }

    private static String writtenSince(Map<Path, Long> before) throws IOException {
        StringBuilder text = new StringBuilder();
        for (Path file : logSizes().keySet()) {
            byte[] bytes = Files.readAllBytes(file);
            int from = (int) Math.min(bytes.length, before.getOrDefault(file, 0L));
            text.append(new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8));
        }
        return text.toString();
    }
}

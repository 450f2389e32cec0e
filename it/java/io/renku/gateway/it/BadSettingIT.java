package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.harness.Deployments;
import io.renku.gateway.harness.GatewayIT;
import java.io.IOException;
import java.io.UncheckedIOException;
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
        assertTrue(tomcatLogContains(expected), "Tomcat's log does not contain: " + expected);
    }

    private static boolean tomcatLogContains(String text) {
        Path logs = Path.of(System.getProperty("it.tomcat.base"), "logs");
        try (Stream<Path> files = Files.list(logs)) {
            return files.filter(Files::isRegularFile).anyMatch(file -> {
                try {
                    return Files.readString(file).contains(text);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

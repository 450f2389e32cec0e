package io.renku.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.renku.gateway.harness.IssuedSecrets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs after every other integration test of the build (its own failsafe execution, {@code log-audit}) and greps
 * every log the run wrote (the gateway's JSON logs and the containers' logs, Tomcat's and WildFly's) for every token,
 * authorization code, state and session cookie the tests were issued ({@link IssuedSecrets}) and every configured
 * secret. It also checks that the gateway's log is JSON, one object a line, with a request id and trace id on every
 * line a request wrote.
 */
class LogAuditIT {
    private final ObjectMapper json = new ObjectMapper();
    private final Path work = Path.of(System.getProperty("it.work.dir"));

    @Test
    void noTokenCookieCodeStateOrSecretIssuedDuringTheRunIsInAnyLog() throws IOException {
        Set<String> secrets = new LinkedHashSet<>();
        for (Path file : List.of(work.resolve(IssuedSecrets.FILE), work.resolve("wildfly").resolve(IssuedSecrets.FILE))) {
            if (Files.exists(file)) {
                Files.readAllLines(file).stream().map(String::trim).filter(s -> !s.isEmpty()).forEach(secrets::add);
            }
        }
        int issued = secrets.size();
        System.getenv().forEach((name, value) -> {
            if (name.startsWith("GATEWAY_") && (name.endsWith("SECRET") || name.endsWith("KEY")
                    || name.endsWith("KEYS") || name.endsWith("PASSWORD") || name.endsWith("TOKEN"))) {
                for (String part : value.split(",")) {
                    secrets.add(part.trim());
                }
            }
        });
        assertTrue(issued > 10, "the run recorded only " + issued + " issued tokens, codes, states and cookies");
        List<Path> logs = logs();
        assertTrue(logs.stream().anyMatch(p -> p.getFileName().toString().startsWith("gateway.log")),
                "no gateway log among " + logs);
        long bytes = 0;
        List<String> leaks = new ArrayList<>();
        for (Path log : logs) {
            String text = Files.readString(log, StandardCharsets.ISO_8859_1);
            bytes += text.length();
            for (String secret : secrets) {
                if (text.contains(secret)) {
                    int at = text.indexOf(secret);
                    String line = text.substring(Math.max(0, text.lastIndexOf('\n', at) + 1), at);
                    leaks.add(log.getFileName() + ": a " + secret.length() + "-character secret after \""
                            + line.substring(Math.max(0, line.length() - 120)) + "\"");
                }
            }
        }
        System.out.println("[log-audit] " + secrets.size() + " secrets (" + issued + " issued during the run) "
                + "checked against " + logs.size() + " log files, " + bytes / 1024 + " KiB");
        assertTrue(leaks.isEmpty(), leaks.size() + " secrets found in logs: " + leaks);
    }

    @Test
    void theGatewayLogIsOneJsonObjectALineWithRequestAndTraceIds() throws IOException {
        int access = 0;
        for (Path log : logs()) {
            if (!log.getFileName().toString().startsWith("gateway.log") || log.toString().endsWith(".lck")) {
                continue;
            }
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                JsonNode node = json.readTree(line);
                assertTrue(node.hasNonNull("time") && node.hasNonNull("level") && node.hasNonNull("logger"), line);
                if (node.path("logger").asText().equals("io.renku.gateway.access")) {
                    access++;
                    assertTrue(node.path("requestId").asText().length() >= 8, line);
                    assertEquals(32, node.path("traceId").asText().length(), line);
                    assertTrue(node.has("status") && node.has("durationMs") && node.has("route"), line);
                    assertFalse(node.path("path").asText().contains("?"), line);
                }
            }
        }
        assertTrue(access > 100, "only " + access + " access-log lines");
    }

    private List<Path> logs() {
        List<Path> logs = new ArrayList<>();
        for (Path dir : List.of(work, work.resolve("wildfly"), work.resolve("tomcat-base/logs"),
                work.resolve("wildfly-base/log"))) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(Files::isRegularFile).filter(p -> {
                    String name = p.getFileName().toString();
                    return (name.startsWith("gateway.log") && !name.endsWith(".lck")) || name.endsWith(".log")
                            && !name.equals("keycloak.log") && dir.getFileName().toString().startsWith("log");
                }).forEach(logs::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return logs;
    }
}

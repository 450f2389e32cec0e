package io.renku.gateway.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.model.Scopes;
import io.renku.gateway.testing.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The policy file: both grant formats per subject, deciders, reload on change, refusal of a bad version. */
class PolicyFileTest {
    private static final String GOOD = """
            {"subjects": {
               "gid://User/17": {"read": ["gid://app/Organization/1/Group/1/Project/1/*"]},
               "7f3c-sub": ["read:organization:1:*", "openid"]},
             "deciders": ["service-account-data-service"]}
            """;

    @TempDir
    Path dir;

    @Test
    void subjectsGetTheirGrantsInEitherFormatAndOthersNone() throws IOException {
        Path file = write(GOOD, 1);
        Policy policy = PolicyFile.load(file, Duration.ofSeconds(5), new MutableClock(Instant.EPOCH)).current();
        assertTrue(policy.grantsOf("gid://User/17").allows("read",
                Scopes.resource("gid://app/Organization/1/Group/1/Project/1/Issue/2")));
        assertTrue(policy.grantsOf("7f3c-sub").allows("read", Scopes.resource("organization:1:group:3")));
        assertEquals(1, policy.grantsOf("7f3c-sub").size(), "openid grants nothing");
        assertTrue(policy.grantsOf("gid://User/18").isEmpty());
        assertEquals(java.util.Set.of("service-account-data-service"), policy.deciders());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "[]", "{\"subjects\": []}", "{\"subjects\": {\"a\": \"read:x:1\"}}",
        "{\"deciders\": [1]}", "{\"subject\": {}}"})
    void aFileThatDoesNotParseStopsTheStart(String text) throws IOException {
        Path file = write(text, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PolicyFile.load(file, Duration.ofSeconds(5), new MutableClock(Instant.EPOCH)));
        assertTrue(e.getMessage().contains("authz.policyFile"), e.getMessage());
    }

    @Test
    void aMissingFileStopsTheStart() {
        assertThrows(IllegalStateException.class,
                () -> PolicyFile.load(dir.resolve("none.json"), Duration.ofSeconds(5), new MutableClock(Instant.EPOCH)));
    }

    @Test
    void aChangedFileIsReloadedAfterTheCheckIntervalAndABadOneKeepsThePrevious() throws IOException {
        MutableClock clock = new MutableClock(Instant.EPOCH);
        Path file = write(GOOD, 1);
        PolicyFile policy = PolicyFile.load(file, Duration.ofSeconds(5), clock);
        write("{\"subjects\": {\"gid://User/18\": [\"read:project:9\"]}}", 2);
        assertTrue(policy.current().knows("gid://User/17"), "not looked at before the interval");
        clock.advance(Duration.ofSeconds(5));
        assertTrue(policy.current().knows("gid://User/18"), "reloaded");
        assertFalse(policy.current().knows("gid://User/17"));

        write("{ not json", 3);
        clock.advance(Duration.ofSeconds(5));
        assertTrue(policy.current().knows("gid://User/18"), "a bad version keeps the previous one");

        write(GOOD, 4);
        clock.advance(Duration.ofSeconds(5));
        assertTrue(policy.current().knows("gid://User/17"), "a good version after a bad one is taken");
    }

    private Path write(String text, int second) throws IOException {
        Path file = dir.resolve("policy.json");
        Files.writeString(file, text);
        Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(1_000_000 + second)));
        return file;
    }
}

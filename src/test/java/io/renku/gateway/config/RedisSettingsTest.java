package io.renku.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.errors.InvalidSettingException;
import io.renku.gateway.model.HostPort;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedisSettingsTest {

    private static RedisSettings read(String... pairs) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            values.put(pairs[i], pairs[i + 1]);
        }
        return RedisSettings.read(new SettingReader(new SettingsSource(n -> null, n -> null, values::get)));
    }

    @Test
    void noAddressesMeansNoRedis() {
        RedisSettings settings = read();
        assertFalse(settings.enabled());
        assertEquals(2000, settings.timeoutMillis());
    }

    @Test
    void addressesParseWithSchemesAndIpv6() {
        RedisSettings settings = read("redis.addresses", "redis-a:6379, rediss://redis-b:6380 [::1]:7000");
        assertEquals(List.of(new HostPort("redis-a", 6379), new HostPort("redis-b", 6380), new HostPort("::1", 7000)),
                settings.addresses());
        assertTrue(settings.tls(), "rediss:// switches TLS on");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "redis.addresses | localhost        | redis.addresses must be a comma-separated list of host:port",
        "redis.addresses | host:notaport    | was 'host:notaport'",
        "redis.addresses | host:70000       | was 'host:70000'",
        "redis.dbIndex   | -1               | redis.dbIndex must be a whole number from 0 to 65535, was '-1'",
        "redis.isSentinel| maybe            | redis.isSentinel must be true or false, was 'maybe'",
        "redis.timeoutMillis | 10           | redis.timeoutMillis must be a whole number from 50 to 60000, was '10'",
    })
    void badValuesNameTheSettingAndTheValue(String name, String value, String expected) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> read("redis.addresses", "localhost:6379", name, value));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(name, e.setting());
    }

    @Test
    void sentinelNeedsAMasterName() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> read("redis.addresses", "s1:26379", "redis.isSentinel", "true"));
        assertEquals("redis.masterName is required when redis.isSentinel is true", e.getMessage());
    }

    @Test
    void sentinelAndClusterExcludeEachOther() {
        assertThrows(InvalidSettingException.class, () -> read("redis.addresses", "a:1", "redis.isSentinel", "true",
                "redis.masterName", "m", "redis.isCluster", "true"));
    }

    @Test
    void passwordNeverAppearsInToString() {
        RedisSettings settings = read("redis.addresses", "a:1", "redis.password", "hunter2");
        assertFalse(settings.toString().contains("hunter2"), settings.toString());
        assertEquals("hunter2", settings.password().reveal());
    }

    @Test
    void sentinelPasswordIsSeparateFromTheDataPasswordAndNeverPrinted() {
        RedisSettings settings = read("redis.addresses", "s1:26379", "redis.isSentinel", "true", "redis.masterName",
                "m", "redis.password", "data-secret", "redis.sentinelPassword", "sentinel-secret");
        assertEquals("data-secret", settings.password().reveal());
        assertEquals("sentinel-secret", settings.sentinelPassword().reveal());
        assertFalse(settings.toString().contains("sentinel-secret"), settings.toString());
        assertTrue(read("redis.addresses", "s1:26379").sentinelPassword().isEmpty(), "empty by default");
    }

    @Test
    void sentinelPasswordWithoutSentinelIsRefusedWithoutEchoingIt() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> read("redis.addresses", "a:1", "redis.sentinelPassword", "sentinel-secret"));
        assertEquals("redis.sentinelPassword", e.setting());
        assertFalse(e.getMessage().contains("sentinel-secret"), e.getMessage());
    }

    @Test
    void tlsCaFileNeedsTlsAndAReadableFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path pem = java.nio.file.Files.writeString(dir.resolve("ca.pem"), "x");
        assertEquals(pem.toString(),
                read("redis.addresses", "rediss://a:1", "redis.tlsCaFile", pem.toString()).tlsCaFile());
        InvalidSettingException plain = assertThrows(InvalidSettingException.class,
                () -> read("redis.addresses", "a:1", "redis.tlsCaFile", pem.toString()));
        assertTrue(plain.getMessage().contains("TLS is off"), plain.getMessage());
        String missing = dir.resolve("absent.pem").toString();
        InvalidSettingException absent = assertThrows(InvalidSettingException.class,
                () -> read("redis.addresses", "a:1", "redis.tls", "true", "redis.tlsCaFile", missing));
        assertTrue(absent.getMessage().contains("was '" + missing + "'"), absent.getMessage());
    }
}

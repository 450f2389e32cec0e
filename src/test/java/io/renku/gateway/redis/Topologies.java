package io.renku.gateway.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.renku.gateway.config.RedisSettings;
import io.renku.gateway.config.SessionSettings;
import io.renku.gateway.config.SettingReader;
import io.renku.gateway.config.SettingsSource;
import io.renku.gateway.session.RedisSession;
import io.renku.gateway.session.RedisSessionRepository;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import redis.clients.jedis.UnifiedJedis;

/**
 * What every topology test does the same way: settings read the way the deployment reads them (from named settings,
 * through {@link SettingReader}), the client built by {@link RedisClients}, and the repository's whole life cycle.
 */
final class Topologies {
    static final String NAMESPACE = "gateway";

    private Topologies() {
    }

    /** Redis settings from {@code name, value} pairs, as the container would hand them over. */
    static RedisSettings redisSettings(String... pairs) {
        return RedisSettings.read(reader(pairs));
    }

    static SessionSettings sessionSettings() {
        SecureRandom random = new SecureRandom();
        byte[] signing = new byte[32];
        byte[] encryption = new byte[32];
        random.nextBytes(signing);
        random.nextBytes(encryption);
        return SessionSettings.read(reader(SessionSettings.COOKIE_SIGNING_KEYS,
                Base64.getEncoder().encodeToString(signing), SessionSettings.TOKEN_ENCRYPTION_KEYS,
                Base64.getEncoder().encodeToString(encryption)));
    }

    static RedisSessionRepository repository(UnifiedJedis redis, RedisSettings settings) {
        return RedisSessionRepository.of(redis, settings.keyNamespace(), sessionSettings());
    }

    /** The key a session lives under (the repository's layout, spelled out so a test can look at Redis itself). */
    static String key(String id) {
        return NAMESPACE + ":sessions:{" + id + "}";
    }

    /** Saves a new session holding {@code user} and returns its id. */
    static String saveNew(RedisSessionRepository repository, String user) {
        RedisSession session = repository.createSession();
        session.setAttribute("user", user);
        repository.save(session);
        return session.getId();
    }

    /**
     * Save, find, change an attribute, rename (a login) and delete (a logout), checking after each step what a
     * replica reading the same Redis would see.
     */
    static void lifeCycleWorks(RedisSessionRepository repository) {
        String id = saveNew(repository, "demo");
        RedisSession found = repository.findById(id);
        assertNotNull(found, "saved session is found");
        assertEquals("demo", found.getAttribute("user"));

        found.setAttribute("count", 2L);
        repository.save(found);
        assertEquals(2L, (Long) repository.findById(id).getAttribute("count"));

        RedisSession renamed = repository.findById(id);
        String newId = renamed.changeSessionId();
        assertNotEquals(id, newId);
        repository.save(renamed);
        assertNull(repository.findById(id), "the old id is gone after a rename");
        RedisSession moved = repository.findById(newId);
        assertNotNull(moved, "the renamed session is found under its new id");
        assertEquals("demo", moved.getAttribute("user"));
        assertEquals(2L, (Long) moved.getAttribute("count"));

        repository.deleteById(newId);
        assertNull(repository.findById(newId), "a deleted session is gone");
    }

    private static SettingReader reader(String... pairs) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            values.put(pairs[i], pairs[i + 1]);
        }
        return new SettingReader(new SettingsSource(n -> null, n -> null, values::get));
    }
}

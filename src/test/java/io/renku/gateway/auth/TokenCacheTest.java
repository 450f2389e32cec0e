package io.renku.gateway.auth;

import io.renku.gateway.testing.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.model.Secret;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TokenCacheTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void keysAreDigestsScopedByWhoAnswered() {
        Secret token = Secret.of("opaque-token");
        String a = TokenCache.key("https://a/introspect", token);
        assertFalse(a.contains("opaque-token"));
        assertNotEquals(a, TokenCache.key("https://b/introspect", token));
        assertEquals(a, TokenCache.key("https://a/introspect", Secret.of("opaque-token")));
    }

    @Test
    void entriesExpireAtTheirTime() {
        TokenCache<String> cache = new TokenCache<>(10, clock);
        cache.put("k", "v", clock.instant().plusSeconds(10));
        assertEquals("v", cache.get("k").orElseThrow());
        clock.advance(Duration.ofSeconds(10));
        assertTrue(cache.get("k").isEmpty());
        cache.put("past", "v", clock.instant());
        assertTrue(cache.get("past").isEmpty());
    }

    @Test
    void sizeStaysBounded() {
        TokenCache<String> cache = new TokenCache<>(100, clock);
        for (int i = 0; i < 1000; i++) {
            cache.put("k" + i, "v", clock.instant().plusSeconds(60));
        }
        assertTrue(cache.size() <= 100, "size " + cache.size());
        assertEquals("v", cache.get("k999").orElseThrow(), "the newest entry is kept");
    }
}

package io.renku.gateway.auth;

import io.renku.gateway.model.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small, bounded, time-limited cache of verification results, so a hot token is not re-verified (or re-introspected)
 * on every request. Keys are SHA-256 digests: the cache never holds a raw token, and a heap dump does not reveal one.
 * Reads take no lock. When full, expired entries are dropped first, then arbitrary ones: a miss only costs one more
 * verification, so precise LRU order is not worth a lock on the hot path.
 */
public final class TokenCache<V> {
    private record Entry<V>(V value, Instant expiresAt) {
    }

    private final ConcurrentHashMap<String, Entry<V>> entries = new ConcurrentHashMap<>();
    private final int maxEntries;
    private final Clock clock;

    public TokenCache(int maxEntries, Clock clock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be > 0, was " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The hex SHA-256 of a token, optionally prefixed by a scope such as an introspection endpoint. */
    public static String key(String scope, Secret token) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return scope + "#" + HexFormat.of().formatHex(digest.digest(token.reveal().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JRE", e);
        }
    }

    public Optional<V> get(String key) {
        Entry<V> entry = entries.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(entry.expiresAt())) {
            entries.remove(key, entry);
            return Optional.empty();
        }
        return Optional.of(entry.value());
    }

    /** Keeps {@code value} until {@code expiresAt}; a time already past stores nothing. */
    public void put(String key, V value, Instant expiresAt) {
        Instant now = clock.instant();
        if (!now.isBefore(expiresAt)) {
            return;
        }
        if (entries.size() >= maxEntries) {
            evict(now);
        }
        entries.put(key, new Entry<>(value, expiresAt));
    }

    int size() {
        return entries.size();
    }

    private void evict(Instant now) {
        entries.values().removeIf(e -> !now.isBefore(e.expiresAt()));
        Iterator<Map.Entry<String, Entry<V>>> it = entries.entrySet().iterator();
        int target = maxEntries - Math.max(1, maxEntries / 10);
        while (entries.size() > target && it.hasNext()) {
            it.next();
            it.remove();
        }
    }
}

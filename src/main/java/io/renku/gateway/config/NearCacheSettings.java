package io.renku.gateway.config;

/**
 * The near cache of sessions read from Redis ({@code session/SessionNearCache}): how many sessions each replica keeps
 * in memory ({@code sessions.nearCache.maxEntries}, 0 switches the cache off) and for how long at most before it asks
 * Redis again even without an invalidation ({@code sessions.nearCache.maxAgeSeconds}, a backstop for changes made
 * behind the gateway's back, such as an operator deleting a key by hand).
 */
public record NearCacheSettings(int maxEntries, int maxAgeSeconds) {
    public static final String MAX_ENTRIES = "sessions.nearCache.maxEntries";
    public static final String MAX_AGE_SECONDS = "sessions.nearCache.maxAgeSeconds";

    public boolean enabled() {
        return maxEntries > 0;
    }

    public static NearCacheSettings read(SettingReader reader) {
        return new NearCacheSettings(reader.integer(MAX_ENTRIES, 10_000, 0, 10_000_000),
                reader.integer(MAX_AGE_SECONDS, 60, 1, 86_400));
    }
}

package io.renku.gateway.session;

import io.renku.gateway.errors.GatewayException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * {@link SessionIndex} in Redis: one SET per key at {@code <namespace>:index:<key>} holding session ids, with a TTL of
 * the sessions' absolute lifetime renewed on every addition, and used logout-token ids at
 * {@code <namespace>:logout-jti:<marker>} written with {@code SET NX EX}, so two replicas that receive the same token
 * cannot both accept it. Every command touches one key, so this works on Cluster too; taking a set is {@code SMEMBERS}
 * then {@code DEL}, and a session added in between is at worst left to expire, which the session's own TTL bounds.
 */
public final class RedisSessionIndex implements SessionIndex {
    private final UnifiedJedis redis;
    private final String namespace;
    private final Duration lifetime;

    public RedisSessionIndex(UnifiedJedis redis, String namespace, Duration lifetime) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
    }

    @Override
    public void add(Set<String> keys, String sessionId) {
        for (String key : keys) {
            String redisKey = key(key);
            call(() -> redis.sadd(redisKey, sessionId));
            call(() -> redis.expire(redisKey, Math.max(1, lifetime.toSeconds())));
        }
    }

    @Override
    public void remove(Set<String> keys, String sessionId) {
        for (String key : keys) {
            call(() -> redis.srem(key(key), sessionId));
        }
    }

    @Override
    public Set<String> take(String key) {
        String redisKey = key(key);
        Set<String> ids = call(() -> redis.smembers(redisKey));
        call(() -> redis.del(redisKey));
        return ids;
    }

    @Override
    public boolean firstUse(String marker, Duration ttl) {
        String answer = call(() -> redis.set(namespace + ":logout-jti:" + marker, "1",
                SetParams.setParams().nx().ex(Math.max(1, ttl.toSeconds()))));
        return "OK".equals(answer);
    }

    /** The one place an index key is built. */
    private String key(String key) {
        return namespace + ":index:" + key;
    }

    private static <T> T call(Supplier<T> command) {
        try {
            return command.get();
        } catch (JedisException e) {
            throw GatewayException.unavailable("The session store is unavailable", 5, e);
        }
    }
}

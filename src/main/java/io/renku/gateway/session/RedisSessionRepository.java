package io.renku.gateway.session;

import io.renku.gateway.config.SessionSettings;
import io.renku.gateway.errors.GatewayException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.session.SessionIdGenerator;
import org.springframework.session.SessionRepository;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Sessions in Redis, one hash per session at {@code <namespace>:sessions:{<id>}}; the braces are a Cluster hash tag,
 * so every command about one session goes to one slot. Fields: {@code created} and {@code lastAccessed} (epoch
 * millis), {@code maxInactive} (seconds, negative = no idle timeout) and {@code attr:<name>} (see
 * {@link AttributeCodec}).
 *
 * <p>Reading is one {@code HGETALL}. Saving sends only the fields that changed, in one Lua script on the one key: it
 * sets and deletes fields and sets the TTL atomically (Jedis offers no {@code MULTI} on Cluster, and a pipeline could
 * leave a key without TTL if it broke half-way), and it refuses to write into a session that has meanwhile been
 * deleted (logged out on another replica) instead of resurrecting a fragment of it. The Redis TTL is the time the
 * session has left, {@code min(idle, absolute lifetime remaining)}; a session read after either deadline (clock skew,
 * a TTL set before the lifetime was shortened) is deleted and reported absent.
 *
 * <p>Every write and delete also publishes the session's id on {@link #invalidationChannel}, inside the same script,
 * so that no replica can see the change before its near cache has been told ({@link SessionNearCache}). With a near
 * cache, a read is answered from memory while the cache trusts its entry, and otherwise from {@code HGETALL}, whose
 * result is then cached; a replica's own writes drop its entry at once.
 *
 * <p>A renamed session ({@link RedisSession#changeSessionId()}) is moved by deleting the old key first and then
 * writing every field under the new one: the old id stops working even if the second step fails (fail closed), and
 * if the old key was already gone the session is not recreated. The two keys live in different slots, so this takes
 * two round trips; it happens at login, not per request.
 */
public final class RedisSessionRepository implements SessionRepository<RedisSession> {
    private static final byte[] SAVE_SCRIPT = ("""
            -- KEYS[1] session hash; ARGV: channel, session id, isNew ('1'/'0'), ttl millis, n,
            -- n field/value pairs, fields to delete. Publishes the id so that other replicas' near caches drop it.
            if ARGV[3] == '0' and redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
            local n = tonumber(ARGV[5])
            if n > 0 then redis.call('HSET', KEYS[1], unpack(ARGV, 6, 5 + 2 * n)) end
            if #ARGV > 5 + 2 * n then redis.call('HDEL', KEYS[1], unpack(ARGV, 6 + 2 * n, #ARGV)) end
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            redis.call('PUBLISH', ARGV[1], ARGV[2])
            return 1
            """).getBytes(StandardCharsets.UTF_8);
    private static final byte[] DELETE_SCRIPT = ("""
            -- KEYS[1] session hash; ARGV: channel, session id
            local deleted = redis.call('DEL', KEYS[1])
            redis.call('PUBLISH', ARGV[1], ARGV[2])
            return deleted
            """).getBytes(StandardCharsets.UTF_8);
    private static final byte[] NEW = {'1'};
    private static final byte[] EXISTING = {'0'};

    private final UnifiedJedis redis;
    private final String keyPrefix;
    private final Duration defaultMaxInactive;
    private final SessionExpiry expiry;
    private final SessionIdGenerator ids;
    private final AttributeCodec codec;
    private final Clock clock;
    private final byte[] channel;
    private final SessionNearCache nearCache;
    private volatile StoreCalls calls = StoreCalls.NONE;

    public RedisSessionRepository(UnifiedJedis redis, String namespace, Duration defaultMaxInactive,
            SessionExpiry expiry, SessionIdGenerator ids, AttributeCodec codec, Clock clock) {
        this(redis, namespace, defaultMaxInactive, expiry, ids, codec, clock, null);
    }

    /** As above, serving hot sessions from {@code nearCache} (null: every read goes to Redis). */
    public RedisSessionRepository(UnifiedJedis redis, String namespace, Duration defaultMaxInactive,
            SessionExpiry expiry, SessionIdGenerator ids, AttributeCodec codec, Clock clock,
            SessionNearCache nearCache) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.keyPrefix = Objects.requireNonNull(namespace, "namespace") + ":sessions:{";
        this.defaultMaxInactive = Objects.requireNonNull(defaultMaxInactive, "defaultMaxInactive");
        this.expiry = Objects.requireNonNull(expiry, "expiry");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.channel = invalidationChannel(namespace).getBytes(StandardCharsets.UTF_8);
        this.nearCache = nearCache;
        if (namespace.isEmpty() || namespace.contains("{") || namespace.contains("}")) {
            throw new IllegalArgumentException("namespace must be non-empty and free of braces (Cluster hash tags)");
        }
    }

    public static RedisSessionRepository of(UnifiedJedis redis, String namespace, SessionSettings settings) {
        return of(redis, namespace, settings, null);
    }

    public static RedisSessionRepository of(UnifiedJedis redis, String namespace, SessionSettings settings,
            SessionNearCache nearCache) {
        return new RedisSessionRepository(redis, namespace, Duration.ofSeconds(settings.idleSessionTtlSeconds()),
                new SessionExpiry(Duration.ofSeconds(settings.maxSessionTtlSeconds())), new SessionIds(),
                new AttributeCodec(), Clock.systemUTC(), nearCache);
    }

    /**
     * This repository, reporting every call that reaches Redis (a read the near cache answers is none) to
     * {@code calls} as {@code read}, {@code save} or {@code delete}; set before the repository is shared.
     */
    public RedisSessionRepository observedBy(StoreCalls calls) {
        this.calls = Objects.requireNonNull(calls, "calls");
        return this;
    }

    /** The pub/sub channel on which every write of a session in {@code namespace} publishes the session's id. */
    public static String invalidationChannel(String namespace) {
        return namespace + ":sessions:invalidations";
    }

    @Override
    public RedisSession createSession() {
        Instant now = clock.instant();
        return new RedisSession(ids.generate(), now, now, defaultMaxInactive, true, codec, ids, expiry, clock);
    }

    @Override
    public void save(RedisSession session) {
        timed("save", () -> {
            saveNow(session);
            return null;
        });
    }

    private void saveNow(RedisSession session) {
        Instant now = clock.instant();
        long ttl = expiry.ttlMillis(session.getCreationTime(), session.getLastAccessedTime(),
                session.getMaxInactiveInterval(), now);
        boolean renamed = !session.getId().equals(session.originalId());
        if (renamed && !session.isNew()) {
            long deleted = delete(session.originalId());
            if (deleted == 0) {
                session.markSaved();
                return;
            }
        }
        if (ttl <= 0) {
            if (!session.isNew()) {
                delete(session.getId());
            }
            session.markSaved();
            return;
        }
        if (renamed) {
            write(session.getId(), true, ttl, session.allFields(), List.of());
        } else if (session.isNew() || session.hasChanges()) {
            write(session.getId(), session.isNew(), ttl, session.changedFields(), session.removedFields());
        }
        session.markSaved();
    }

    @Override
    public RedisSession findById(String id) {
        if (!SessionIds.isWellFormed(id)) {
            return null;
        }
        Map<byte[], byte[]> hash = nearCache == null ? null : nearCache.get(id);
        if (hash == null) {
            long stamp = nearCache == null ? 0 : nearCache.stamp(id);
            byte[] key = key(id);
            hash = timed("read", () -> call(() -> redis.hgetAll(key)));
            if (hash == null || hash.isEmpty()) {
                return null;
            }
            if (nearCache != null) {
                nearCache.put(id, hash, stamp);
            }
        }
        RedisSession session = load(id, hash);
        if (session == null || session.isExpired()) {
            timed("delete", () -> delete(id));
            return null;
        }
        return session;
    }

    @Override
    public void deleteById(String id) {
        if (SessionIds.isWellFormed(id)) {
            timed("delete", () -> delete(id));
        }
    }

    /** Deletes the session's key and tells every replica's near cache; the number of keys deleted. */
    private long delete(String id) {
        byte[] key = key(id);
        try {
            Object deleted = call(() -> redis.eval(DELETE_SCRIPT, List.of(key),
                    List.of(channel, id.getBytes(StandardCharsets.US_ASCII))));
            delivered(key);
            return deleted instanceof Long n ? n : 0;
        } finally {
            forget(id);
        }
    }

    private void forget(String id) {
        if (nearCache != null) {
            nearCache.forget(id);
        }
    }

    /** The session held by {@code hash}, or null when a metadata field is missing or malformed. */
    private RedisSession load(String id, Map<byte[], byte[]> hash) {
        Long created = null;
        Long lastAccessed = null;
        Long maxInactive = null;
        List<Map.Entry<String, byte[]>> attributes = new ArrayList<>();
        try {
            for (Map.Entry<byte[], byte[]> field : hash.entrySet()) {
                String name = new String(field.getKey(), StandardCharsets.UTF_8);
                switch (name) {
                    case RedisSession.CREATED -> created = number(field.getValue());
                    case RedisSession.LAST_ACCESSED -> lastAccessed = number(field.getValue());
                    case RedisSession.MAX_INACTIVE -> maxInactive = number(field.getValue());
                    default -> {
                        if (name.startsWith(RedisSession.ATTRIBUTE_PREFIX)) {
                            attributes.add(Map.entry(name.substring(RedisSession.ATTRIBUTE_PREFIX.length()),
                                    field.getValue()));
                        }
                    }
                }
            }
        } catch (NumberFormatException malformed) {
            return null;
        }
        if (created == null || lastAccessed == null || maxInactive == null) {
            return null;
        }
        RedisSession session = new RedisSession(id, Instant.ofEpochMilli(created), Instant.ofEpochMilli(lastAccessed),
                Duration.ofSeconds(maxInactive), false, codec, ids, expiry, clock);
        attributes.forEach(a -> session.loadAttribute(a.getKey(), a.getValue()));
        return session;
    }

    private void write(String id, boolean isNew, long ttlMillis, Map<String, byte[]> set,
            java.util.Collection<String> delete) {
        List<byte[]> args = new ArrayList<>(5 + 2 * set.size() + delete.size());
        args.add(channel);
        args.add(id.getBytes(StandardCharsets.US_ASCII));
        args.add(isNew ? NEW : EXISTING);
        args.add(Long.toString(ttlMillis).getBytes(StandardCharsets.US_ASCII));
        args.add(Integer.toString(set.size()).getBytes(StandardCharsets.US_ASCII));
        set.forEach((field, value) -> {
            args.add(field.getBytes(StandardCharsets.UTF_8));
            args.add(value);
        });
        delete.forEach(field -> args.add(field.getBytes(StandardCharsets.UTF_8)));
        byte[] key = key(id);
        try {
            call(() -> redis.eval(SAVE_SCRIPT, List.of(key), args));
            delivered(key);
        } finally {
            forget(id);
        }
    }

    /**
     * One more round trip to the key's node after a script that published an invalidation, so that the change is
     * acknowledged only once Redis has written the message to every subscriber: Redis answers a script and pushes
     * its messages in the same pass over its clients, not always in that order, and a command read after that pass
     * is answered after all of them went out. Writes are rare (login, logout, refresh, a touch a minute); reads,
     * which this keeps off Redis, are not.
     */
    private void delivered(byte[] key) {
        if (nearCache != null) { // replicas cache: every one has the same sessions.nearCache.maxEntries choice
            call(() -> redis.exists(key));
        }
    }

    private static long number(byte[] value) {
        return Long.parseLong(new String(value, StandardCharsets.US_ASCII));
    }

    /** The one place a session key is built. */
    private byte[] key(String id) {
        return (keyPrefix + id + "}").getBytes(StandardCharsets.UTF_8);
    }

    private <T> T timed(String operation, Supplier<T> call) {
        return calls.time(operation, call);
    }

    /** Redis trouble becomes a 503 for the client; the cause is kept for the log, the detail names no key. */
    private static <T> T call(Supplier<T> command) {
        try {
            return command.get();
        } catch (JedisException e) {
            throw GatewayException.unavailable("The session store is unavailable", 5, e);
        }
    }
}

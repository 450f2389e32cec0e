package io.renku.gateway.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.springframework.session.Session;
import org.springframework.session.SessionIdGenerator;

/**
 * A session as {@link RedisSessionRepository} loads and saves it. Besides the state, it records what changed since it
 * was loaded (hash fields to set, attribute fields to delete), so a save sends only that. Attribute values are
 * encoded when they are set (a snapshot: changing a mutable object afterwards is not saved unless it is set again)
 * and decoded on first read.
 *
 * <p>The last-access time is written back only when it has moved by at least {@link #touchInterval()} (1% of the idle
 * timeout, between 1 and 60 seconds). Otherwise every request would cost a write on top of its read; the price is
 * that an idle timeout may end up to that interval early.
 */
public final class RedisSession implements Session {
    static final String CREATED = "created";
    static final String LAST_ACCESSED = "lastAccessed";
    static final String MAX_INACTIVE = "maxInactive";
    static final String ATTRIBUTE_PREFIX = "attr:";

    private final AttributeCodec codec;
    private final SessionIdGenerator ids;
    private final SessionExpiry expiry;
    private final Clock clock;
    private final Instant created;
    private final Map<String, byte[]> attributes = new HashMap<>();
    private final Map<String, Object> decoded = new HashMap<>();
    private final Map<String, byte[]> changed = new LinkedHashMap<>();
    private final Set<String> removed = new HashSet<>();
    private String id;
    private String originalId;
    private boolean isNew;
    private Instant lastAccessed;
    private Instant storedLastAccessed;
    private Duration maxInactive;

    RedisSession(String id, Instant created, Instant lastAccessed, Duration maxInactive, boolean isNew,
            AttributeCodec codec, SessionIdGenerator ids, SessionExpiry expiry, Clock clock) {
        this.id = Objects.requireNonNull(id, "id");
        this.originalId = id;
        this.created = Objects.requireNonNull(created, "created");
        this.lastAccessed = Objects.requireNonNull(lastAccessed, "lastAccessed");
        this.storedLastAccessed = lastAccessed;
        this.maxInactive = Objects.requireNonNull(maxInactive, "maxInactive");
        this.isNew = isNew;
        this.codec = Objects.requireNonNull(codec, "codec");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.expiry = Objects.requireNonNull(expiry, "expiry");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (isNew) {
            changed.put(CREATED, millis(created));
            changed.put(LAST_ACCESSED, millis(lastAccessed));
            changed.put(MAX_INACTIVE, seconds(maxInactive));
        }
    }

    @Override
    public String getId() {
        return id;
    }

    @Override
    public String changeSessionId() {
        id = ids.generate();
        return id;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getAttribute(String name) {
        Object value = decoded.get(name);
        if (value == null) {
            byte[] stored = attributes.get(name);
            if (stored == null) {
                return null;
            }
            value = codec.decode(name, stored);
            if (!(value instanceof byte[])) {
                decoded.put(name, value);
            }
        }
        return (T) value;
    }

    @Override
    public Set<String> getAttributeNames() {
        return Set.copyOf(attributes.keySet());
    }

    @Override
    public void setAttribute(String name, Object value) {
        Objects.requireNonNull(name, "name");
        if (value == null) {
            removeAttribute(name);
            return;
        }
        byte[] stored = codec.encode(name, value);
        attributes.put(name, stored);
        decoded.remove(name);
        changed.put(ATTRIBUTE_PREFIX + name, stored);
        removed.remove(ATTRIBUTE_PREFIX + name);
    }

    @Override
    public void removeAttribute(String name) {
        decoded.remove(name);
        if (attributes.remove(name) != null) {
            changed.remove(ATTRIBUTE_PREFIX + name);
            removed.add(ATTRIBUTE_PREFIX + name);
        }
    }

    @Override
    public Instant getCreationTime() {
        return created;
    }

    @Override
    public void setLastAccessedTime(Instant lastAccessedTime) {
        lastAccessed = Objects.requireNonNull(lastAccessedTime, "lastAccessedTime");
        if (Duration.between(storedLastAccessed, lastAccessed).compareTo(touchInterval()) >= 0) {
            changed.put(LAST_ACCESSED, millis(lastAccessed));
        }
    }

    /** How far the last-access time may drift in Redis before a request writes it back. */
    Duration touchInterval() {
        Duration onePercent = maxInactive.isNegative() || maxInactive.isZero() ? Duration.ofSeconds(60)
                : maxInactive.dividedBy(100);
        return onePercent.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1)
                : onePercent.compareTo(Duration.ofSeconds(60)) > 0 ? Duration.ofSeconds(60) : onePercent;
    }

    @Override
    public Instant getLastAccessedTime() {
        return lastAccessed;
    }

    @Override
    public void setMaxInactiveInterval(Duration interval) {
        maxInactive = Objects.requireNonNull(interval, "interval");
        changed.put(MAX_INACTIVE, seconds(maxInactive));
    }

    @Override
    public Duration getMaxInactiveInterval() {
        return maxInactive;
    }

    /** Expired by idle time or by the absolute lifetime, whichever comes first. */
    @Override
    public boolean isExpired() {
        return expiry.isExpired(created, lastAccessed, maxInactive, clock.instant());
    }

    // ---- for the repository ----

    boolean isNew() {
        return isNew;
    }

    String originalId() {
        return originalId;
    }

    Map<String, byte[]> changedFields() {
        return changed;
    }

    Set<String> removedFields() {
        return removed;
    }

    boolean hasChanges() {
        return !changed.isEmpty() || !removed.isEmpty();
    }

    /** Every field of the hash, for writing the session under a new key. */
    Map<String, byte[]> allFields() {
        Map<String, byte[]> all = new LinkedHashMap<>();
        all.put(CREATED, millis(created));
        all.put(LAST_ACCESSED, millis(lastAccessed));
        all.put(MAX_INACTIVE, seconds(maxInactive));
        attributes.forEach((name, value) -> all.put(ATTRIBUTE_PREFIX + name, value));
        return all;
    }

    /** A stored attribute as it came from Redis (used while loading). */
    void loadAttribute(String name, byte[] stored) {
        attributes.put(name, stored);
    }

    void markSaved() {
        if (changed.containsKey(LAST_ACCESSED) || isNew) {
            storedLastAccessed = lastAccessed;
        }
        changed.clear();
        removed.clear();
        isNew = false;
        originalId = id;
    }

    static byte[] millis(Instant instant) {
        return Long.toString(instant.toEpochMilli()).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    static byte[] seconds(Duration duration) {
        return Long.toString(duration.getSeconds()).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}

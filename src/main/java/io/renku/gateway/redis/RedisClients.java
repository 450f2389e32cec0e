package io.renku.gateway.redis;

import io.renku.gateway.config.RedisSettings;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.HostPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.JedisSentineled;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Builds the one Jedis client of a deployment from {@link RedisSettings}: standalone ({@link JedisPooled}), Sentinel
 * ({@link JedisSentineled}) or Cluster ({@link JedisCluster}); all are {@link UnifiedJedis}, so the rest of the
 * gateway does not care which. Pool waits are bounded by the timeout, so a Redis outage makes requests fail fast
 * (and become 503s) instead of hanging on an exhausted pool.
 *
 * <p>Standalone clients connect lazily, so a wrong password surfaces as a 503 on the first request. Sentinel and
 * Cluster clients must ask the Sentinels or a node for the topology while being built; when none answers, the
 * failure is a {@link GatewayException} naming the addresses and the settings to check (never a password), which
 * stops the deployment with that message.
 */
public final class RedisClients {
    private RedisClients() {
    }

    public static UnifiedJedis create(RedisSettings settings) {
        if (!settings.enabled()) {
            throw new IllegalArgumentException("Redis is not configured");
        }
        RedisTls tls = settings.tls() ? RedisTls.of(settings.tlsCaFile()) : null;
        DefaultJedisClientConfig.Builder config = data(settings, tls, "renku-gateway");
        GenericObjectPoolConfig<Connection> pool = new ConnectionPoolConfig();
        pool.setMaxTotal(64);
        pool.setMaxIdle(64);
        pool.setMinIdle(0);
        pool.setBlockWhenExhausted(true);
        pool.setMaxWait(Duration.ofMillis(settings.timeoutMillis()));
        pool.setTestWhileIdle(true);
        if (settings.cluster()) {
            try {
                return new JedisCluster(hosts(settings), config.build(), CLUSTER_ATTEMPTS,
                        clusterRetryBudget(settings), pool);
            } catch (JedisException e) {
                throw GatewayException.unavailable("No Redis Cluster node at " + settings.addresses()
                        + " answered with the slot map (unreachable, or wrong " + RedisSettings.USERNAME + "/"
                        + RedisSettings.PASSWORD + "?): " + e.getMessage(), 5, e);
            }
        }
        if (settings.sentinel()) {
            JedisClientConfig master = config.database(settings.dbIndex()).build();
            DefaultJedisClientConfig.Builder sentinel = base(settings, tls);
            if (!settings.sentinelPassword().isEmpty()) {
                sentinel.password(settings.sentinelPassword().reveal());
            }
            try {
                return new JedisSentineled(settings.masterName(), master, pool, hosts(settings), sentinel.build());
            } catch (JedisException e) {
                throw GatewayException.unavailable("No Redis Sentinel at " + settings.addresses() + " named the primary '"
                        + settings.masterName() + "' (unreachable, wrong " + RedisSettings.SENTINEL_PASSWORD + " or "
                        + RedisSettings.MASTER_NAME + "?): " + e.getMessage(), 5, e);
            }
        }
        HostPort first = settings.addresses().get(0);
        return new JedisPooled(pool, new HostAndPort(first.host(), first.port()),
                config.database(settings.dbIndex()).build());
    }

    /**
     * Where the near cache's invalidation channel connects ({@link InvalidationChannel}), asked again on every
     * reconnect: the one standalone node; the primary the Sentinels name now; a Cluster node, a different one each
     * time (a Cluster forwards every {@code PUBLISH} to all its nodes).
     */
    public static Supplier<HostAndPort> subscriberNode(UnifiedJedis client, RedisSettings settings) {
        if (client instanceof JedisCluster cluster) {
            AtomicInteger next = new AtomicInteger();
            return () -> {
                List<String> nodes = new ArrayList<>(cluster.getClusterNodes().keySet());
                if (nodes.isEmpty()) {
                    nodes = settings.addresses().stream().map(HostPort::toString).toList();
                }
                return HostAndPort.from(nodes.get(Math.floorMod(next.getAndIncrement(), nodes.size())));
            };
        }
        if (client instanceof JedisSentineled sentineled) {
            return sentineled::getCurrentMaster;
        }
        HostPort first = settings.addresses().get(0);
        HostAndPort node = new HostAndPort(first.host(), first.port());
        return () -> node;
    }

    /** The invalidation channel's connection settings: authenticated like the data connections (pub/sub has no db). */
    public static JedisClientConfig subscriberConfig(RedisSettings settings) {
        RedisTls tls = settings.tls() ? RedisTls.of(settings.tlsCaFile()) : null;
        return data(settings, tls, "renku-gateway-invalidations").build();
    }

    /** What every connection to a data node carries: timeouts, TLS, name and credentials. */
    private static DefaultJedisClientConfig.Builder data(RedisSettings settings, RedisTls tls, String name) {
        DefaultJedisClientConfig.Builder config = base(settings, tls).clientName(name);
        if (!settings.username().isEmpty()) {
            config.user(settings.username());
        }
        if (!settings.password().isEmpty()) {
            config.password(settings.password().reveal());
        }
        return config;
    }

    /** Tries of one command on Cluster: a MOVED or ASK redirect, or a node that went away, costs one. */
    static final int CLUSTER_ATTEMPTS = 5;

    /**
     * How long Jedis may go on retrying one Cluster command: {@code redis.timeoutMillis}, so a slow or dead node fails
     * the request within about twice the timeout (an attempt already started still runs to its own timeout) rather
     * than after {@link #CLUSTER_ATTEMPTS} full timeouts, Jedis's default budget. Redirects are quick and still fit.
     */
    static Duration clusterRetryBudget(RedisSettings settings) {
        return Duration.ofMillis(settings.timeoutMillis());
    }

    /** Timeouts and TLS, shared by the data nodes' and the Sentinels' connections. */
    private static DefaultJedisClientConfig.Builder base(RedisSettings settings, RedisTls tls) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(settings.timeoutMillis())
                .socketTimeoutMillis(settings.timeoutMillis());
        return tls == null ? config : tls.apply(config);
    }

    private static Set<HostAndPort> hosts(RedisSettings settings) {
        return settings.addresses().stream().map(a -> new HostAndPort(a.host(), a.port()))
                .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    }
}

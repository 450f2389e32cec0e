package io.renku.gateway.redis;

import io.renku.gateway.config.RedisSettings;
import io.renku.gateway.model.HostPort;
import java.time.Duration;
import java.util.Set;
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

/**
 * Builds the one Jedis client of a deployment from {@link RedisSettings}: standalone ({@link JedisPooled}), Sentinel
 * ({@link JedisSentineled}) or Cluster ({@link JedisCluster}); all are {@link UnifiedJedis}, so the rest of the
 * gateway does not care which. Pool waits are bounded by the timeout, so a Redis outage makes requests fail fast
 * (and become 503s) instead of hanging on an exhausted pool.
 */
public final class RedisClients {
    private RedisClients() {
    }

    public static UnifiedJedis create(RedisSettings settings) {
        if (!settings.enabled()) {
            throw new IllegalArgumentException("Redis is not configured");
        }
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(settings.timeoutMillis())
                .socketTimeoutMillis(settings.timeoutMillis())
                .ssl(settings.tls())
                .clientName("renku-gateway");
        if (!settings.username().isEmpty()) {
            config.user(settings.username());
        }
        if (!settings.password().isEmpty()) {
            config.password(settings.password().reveal());
        }
        GenericObjectPoolConfig<Connection> pool = new ConnectionPoolConfig();
        pool.setMaxTotal(64);
        pool.setMaxIdle(64);
        pool.setMinIdle(0);
        pool.setBlockWhenExhausted(true);
        pool.setMaxWait(Duration.ofMillis(settings.timeoutMillis()));
        pool.setTestWhileIdle(true);
        if (settings.cluster()) {
            return new JedisCluster(hosts(settings), config.build(), 5, pool);
        }
        if (settings.sentinel()) {
            JedisClientConfig master = config.database(settings.dbIndex()).build();
            JedisClientConfig sentinel = DefaultJedisClientConfig.builder()
                    .connectionTimeoutMillis(settings.timeoutMillis())
                    .socketTimeoutMillis(settings.timeoutMillis())
                    .ssl(settings.tls())
                    .build();
            return new JedisSentineled(settings.masterName(), master, pool, hosts(settings), sentinel);
        }
        HostPort first = settings.addresses().get(0);
        return new JedisPooled(pool, new HostAndPort(first.host(), first.port()),
                config.database(settings.dbIndex()).build());
    }

    private static Set<HostAndPort> hosts(RedisSettings settings) {
        return settings.addresses().stream().map(a -> new HostAndPort(a.host(), a.port()))
                .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    }
}

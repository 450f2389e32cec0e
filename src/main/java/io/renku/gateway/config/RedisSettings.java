package io.renku.gateway.config;

import io.renku.gateway.errors.InvalidSettingException;
import io.renku.gateway.model.HostPort;
import io.renku.gateway.model.Secret;
import java.util.ArrayList;
import java.util.List;

/**
 * How to reach Redis. No addresses means no Redis: sessions stay in memory on this node. The names follow the Go
 * gateway's keys; {@code redis.isCluster}, {@code redis.username}, {@code redis.tls} and {@code redis.timeoutMillis}
 * are ours. An address written {@code rediss://host:port} switches TLS on.
 */
public record RedisSettings(List<HostPort> addresses, boolean sentinel, String masterName, boolean cluster,
        String username, Secret password, int dbIndex, boolean tls, int timeoutMillis, String keyNamespace) {

    public static final String ADDRESSES = "redis.addresses";
    public static final String IS_SENTINEL = "redis.isSentinel";
    public static final String MASTER_NAME = "redis.masterName";
    public static final String IS_CLUSTER = "redis.isCluster";
    public static final String USERNAME = "redis.username";
    public static final String PASSWORD = "redis.password";
    public static final String DB_INDEX = "redis.dbIndex";
    public static final String TLS = "redis.tls";
    public static final String TIMEOUT_MILLIS = "redis.timeoutMillis";
    public static final String KEY_NAMESPACE = "redis.keyNamespace";

    public RedisSettings {
        addresses = List.copyOf(addresses);
    }

    public boolean enabled() {
        return !addresses.isEmpty();
    }

    public static RedisSettings read(SettingReader reader) {
        boolean tls = reader.bool(TLS, false);
        List<HostPort> addresses = new ArrayList<>();
        for (String raw : reader.list(ADDRESSES, List.of())) {
            String address = raw;
            if (address.startsWith("rediss://")) {
                tls = true;
                address = address.substring("rediss://".length());
            } else if (address.startsWith("redis://")) {
                address = address.substring("redis://".length());
            }
            addresses.add(hostPort(address, raw));
        }
        boolean sentinel = reader.bool(IS_SENTINEL, false);
        boolean cluster = reader.bool(IS_CLUSTER, false);
        String masterName = reader.string(MASTER_NAME, "");
        int dbIndex = reader.integer(DB_INDEX, 0, 0, 65_535);
        if (sentinel && cluster) {
            throw new InvalidSettingException(IS_CLUSTER,
                    IS_SENTINEL + " and " + IS_CLUSTER + " cannot both be true: a deployment is one or the other");
        }
        if (sentinel && masterName.isEmpty()) {
            throw new InvalidSettingException(MASTER_NAME,
                    MASTER_NAME + " is required when " + IS_SENTINEL + " is true");
        }
        if (cluster && dbIndex != 0) {
            throw SettingReader.invalid(DB_INDEX, Integer.toString(dbIndex), "0 with Redis Cluster");
        }
        return new RedisSettings(addresses, sentinel, masterName, cluster, reader.string(USERNAME, ""),
                reader.secret(PASSWORD), dbIndex, tls, reader.integer(TIMEOUT_MILLIS, 2000, 50, 60_000),
                namespace(reader.string(KEY_NAMESPACE, "gateway")));
    }

    /** Every key the gateway writes starts with this, so one Redis can serve several deployments (and ACLs). */
    private static String namespace(String value) {
        if (!value.matches("[A-Za-z0-9._-]{1,64}")) {
            throw SettingReader.invalid(KEY_NAMESPACE, value, "1 to 64 letters, digits, '.', '_' or '-'");
        }
        return value;
    }

    private static HostPort hostPort(String address, String raw) {
        int colon = address.lastIndexOf(':');
        String allowed = "a comma-separated list of host:port (optionally redis:// or rediss://)";
        if (colon <= 0 || colon == address.length() - 1) {
            throw SettingReader.invalid(ADDRESSES, raw, allowed);
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new HostPort(host, Integer.parseInt(address.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw SettingReader.invalid(ADDRESSES, raw, allowed);
        }
    }
}

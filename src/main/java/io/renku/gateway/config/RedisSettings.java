package io.renku.gateway.config;

import io.renku.gateway.errors.InvalidSettingException;
import io.renku.gateway.model.HostPort;
import io.renku.gateway.model.Secret;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to reach Redis. No addresses means no Redis: sessions stay in memory on this node. The names follow the Go
 * gateway's keys; {@code redis.isCluster}, {@code redis.username}, {@code redis.tls}, {@code redis.tlsCaFile},
 * {@code redis.sentinelPassword} and {@code redis.timeoutMillis} are ours. An address written {@code rediss://host:port}
 * switches TLS on.
 *
 * <p>The Sentinels' password is a setting of its own, not {@code redis.password}: Sentinels authenticate separately
 * from the data nodes (their own {@code requirepass}), many installs protect the primary but not the Sentinels, and
 * sending a password to a Sentinel that has none fails the connection. Empty means the Sentinels are asked without
 * authentication. With TLS the server's certificate is checked against {@code redis.tlsCaFile} (PEM CA
 * certificates; empty = the JVM's trust store) and against the host name or IP address in {@code redis.addresses}.
 */
public record RedisSettings(List<HostPort> addresses, boolean sentinel, String masterName, boolean cluster,
        String username, Secret password, Secret sentinelPassword, int dbIndex, boolean tls, String tlsCaFile,
        int timeoutMillis, String keyNamespace) {

    public static final String ADDRESSES = "redis.addresses";
    public static final String IS_SENTINEL = "redis.isSentinel";
    public static final String MASTER_NAME = "redis.masterName";
    public static final String IS_CLUSTER = "redis.isCluster";
    public static final String USERNAME = "redis.username";
    public static final String PASSWORD = "redis.password";
    public static final String SENTINEL_PASSWORD = "redis.sentinelPassword";
    public static final String DB_INDEX = "redis.dbIndex";
    public static final String TLS = "redis.tls";
    public static final String TLS_CA_FILE = "redis.tlsCaFile";
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
        Secret sentinelPassword = reader.secret(SENTINEL_PASSWORD);
        if (!sentinel && !sentinelPassword.isEmpty()) {
            throw new InvalidSettingException(SENTINEL_PASSWORD,
                    SENTINEL_PASSWORD + " is set but " + IS_SENTINEL + " is not true");
        }
        String caFile = reader.string(TLS_CA_FILE, "");
        if (!caFile.isEmpty()) {
            checkCaFile(caFile, tls);
        }
        return new RedisSettings(addresses, sentinel, masterName, cluster, reader.string(USERNAME, ""),
                reader.secret(PASSWORD), sentinelPassword, dbIndex, tls, caFile,
                reader.integer(TIMEOUT_MILLIS, 2000, 50, 60_000), namespace(reader.string(KEY_NAMESPACE, "gateway")));
    }

    private static void checkCaFile(String caFile, boolean tls) {
        if (!tls) {
            throw new InvalidSettingException(TLS_CA_FILE, TLS_CA_FILE + " is set but TLS is off (set " + TLS
                    + "=true or use rediss:// addresses)");
        }
        try {
            if (!Files.isReadable(Path.of(caFile))) {
                throw SettingReader.invalid(TLS_CA_FILE, caFile, "a readable file of PEM CA certificates");
            }
        } catch (InvalidPathException e) {
            throw SettingReader.invalid(TLS_CA_FILE, caFile, "a readable file of PEM CA certificates");
        }
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

package io.renku.gateway.redis;

import static io.renku.gateway.redis.Topologies.key;
import static io.renku.gateway.redis.Topologies.lifeCycleWorks;
import static io.renku.gateway.redis.Topologies.redisSettings;
import static io.renku.gateway.redis.Topologies.repository;
import static io.renku.gateway.redis.Topologies.saveNew;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.config.RedisSettings;
import io.renku.gateway.session.RedisSessionRepository;
import io.renku.gateway.session.SessionIds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;

/**
 * A single redis-server protected by a password, and one where the gateway logs in as an ACL user that may touch
 * only the gateway's key namespace: the least privilege an operator would grant.
 */
class StandaloneTopologyTest {
    static final String PASSWORD = "standalone-pass-7";
    static final String ACL_PASSWORD = "acl-pass-9";
    static RedisNodes nodes;
    static RedisNodes.Node passwordNode;
    static RedisNodes.Node aclNode;

    @BeforeAll
    static void startServers() {
        nodes = new RedisNodes("standalone");
        passwordNode = nodes.server("password", RedisNodes.freePort(), "requirepass " + PASSWORD);
        aclNode = nodes.server("acl", RedisNodes.freePort(),
                "user default on >admin-pass ~* &* +@all",
                "user gateway on >" + ACL_PASSWORD + " ~gateway:* resetchannels &gateway:* -@all +@read +@write +@scripting"
                + " +@connection +publish +subscribe");
    }

    @AfterAll
    static void stopServers() {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    void passwordProtectedServerKeepsTheWholeSessionLifeCycle() {
        RedisSettings settings = redisSettings("redis.addresses", "redis://" + passwordNode.address(),
                "redis.password", PASSWORD);
        try (UnifiedJedis redis = RedisClients.create(settings)) {
            lifeCycleWorks(repository(redis, settings));
        }
    }

    @Test
    void aclUserConfinedToTheNamespaceKeepsTheWholeSessionLifeCycle() {
        RedisSettings settings = redisSettings("redis.addresses", aclNode.address(), "redis.username", "gateway",
                "redis.password", ACL_PASSWORD);
        try (UnifiedJedis redis = RedisClients.create(settings)) {
            RedisSessionRepository repository = repository(redis, settings);
            lifeCycleWorks(repository);
            String id = saveNew(repository, "acl");
            try (Jedis admin = new Jedis("127.0.0.1", aclNode.port())) {
                admin.auth("admin-pass");
                assertTrue(admin.exists(key(id)), "the session is stored under the namespace the ACL allows");
            }
        }
    }

    @Test
    void wrongPasswordIsServiceUnavailableWithTheCauseKeptForTheLog() {
        GatewayException e = failure(redisSettings("redis.addresses", passwordNode.address(),
                "redis.password", "not-" + PASSWORD));
        assertTrue(causes(e).contains("WRONGPASS"), causes(e));
    }

    @Test
    void missingPasswordIsServiceUnavailable() {
        GatewayException e = failure(redisSettings("redis.addresses", passwordNode.address()));
        assertTrue(causes(e).contains("NOAUTH"), causes(e));
    }

    @Test
    void wrongAclPasswordIsServiceUnavailable() {
        GatewayException e = failure(redisSettings("redis.addresses", aclNode.address(), "redis.username", "gateway",
                "redis.password", "wrong-" + ACL_PASSWORD));
        assertTrue(causes(e).contains("WRONGPASS"), causes(e));
    }

    @Test
    void aclUserOutsideItsNamespaceIsServiceUnavailable() {
        RedisSettings settings = redisSettings("redis.addresses", aclNode.address(), "redis.username", "gateway",
                "redis.password", ACL_PASSWORD, "redis.keyNamespace", "other");
        try (UnifiedJedis redis = RedisClients.create(settings)) {
            RedisSessionRepository repository = repository(redis, settings);
            GatewayException e = assertThrows(GatewayException.class, () -> saveNew(repository, "demo"));
            assertEquals(ErrorKind.SERVICE_UNAVAILABLE, e.kind());
            assertTrue(causes(e).contains("NOPERM"), causes(e));
        }
    }

    @Test
    void dbIndexPutsTheSessionsIntoThatDatabase() {
        RedisSettings settings = redisSettings("redis.addresses", passwordNode.address(),
                "redis.password", PASSWORD, "redis.dbIndex", "3");
        try (UnifiedJedis redis = RedisClients.create(settings);
                Jedis admin = new Jedis("127.0.0.1", passwordNode.port())) {
            RedisSessionRepository repository = repository(redis, settings);
            String id = saveNew(repository, "db3");
            admin.auth(PASSWORD);
            assertFalse(admin.exists(key(id)), "not in db 0");
            admin.select(3);
            assertTrue(admin.exists(key(id)), "in db 3");
            assertEquals("sdb3", admin.hget(key(id), "attr:user"));
            lifeCycleWorks(repository);
        }
    }

    /** The failure a request meets: a 503 from the repository whose text names neither password nor key. */
    private static GatewayException failure(RedisSettings settings) {
        try (UnifiedJedis redis = RedisClients.create(settings)) {
            RedisSessionRepository repository = repository(redis, settings);
            GatewayException e = assertThrows(GatewayException.class,
                    () -> repository.findById(new SessionIds().generate()));
            assertEquals(ErrorKind.SERVICE_UNAVAILABLE, e.kind());
            assertFalse(e.getMessage().contains(PASSWORD) || e.getMessage().contains(ACL_PASSWORD), e.getMessage());
            return e;
        }
    }

    static String causes(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" <- ");
        }
        return text.toString();
    }
}

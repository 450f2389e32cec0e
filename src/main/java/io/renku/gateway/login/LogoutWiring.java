package io.renku.gateway.login;

import io.renku.gateway.metrics.GatewayMetrics;
import io.renku.gateway.config.GatewaySettings;
import io.renku.gateway.session.InMemorySessionIndex;
import io.renku.gateway.session.RedisSessionIndex;
import io.renku.gateway.session.SessionIndex;
import io.renku.gateway.session.SessionTokens;
import io.renku.gateway.web.GatewayContext;
import java.time.Clock;
import java.time.Duration;
import org.glassfish.jersey.server.ResourceConfig;

/**
 * Builds what logout needs from the deployment's resources, in one place so {@link AuthApplication} only has to ask:
 * the {@link SessionIndex} (in Redis when sessions are, else in memory beside them; entries live as long as a session
 * can), the indexing the login chain keeps up to date, and the logout, back-channel logout and user-profile resources.
 */
final class LogoutWiring {
    private final SessionIndexing indexing;
    private final SessionIndex index;

    LogoutWiring(GatewayContext context, SessionTokens tokens) {
        GatewaySettings settings = context.settings();
        Duration lifetime = Duration.ofSeconds(settings.sessions().maxSessionTtlSeconds());
        this.index = context.redis().<SessionIndex>map(redis -> new RedisSessionIndex(redis,
                settings.redis().keyNamespace(), lifetime)).orElseGet(() -> new InMemorySessionIndex(lifetime,
                Clock.systemUTC()));
        this.indexing = new SessionIndexing(index, tokens, settings.login().defaultChain().get(0));
    }

    SessionIndex index() {
        return index;
    }

    SessionIndexing indexing() {
        return indexing;
    }

    void register(ResourceConfig application, GatewayContext context, SessionTokens tokens, GatewayMetrics metrics,
            java.util.Map<String, ? extends LoginProvider> others) {
        GatewaySettings settings = context.settings();
        application.register(new LogoutResource(settings.login(), settings.logout(), context.loginProviders(), others,
                tokens, context.tokens(), indexing));
        application.register(new BackchannelLogoutResource(new LogoutTokens(context.loginProviders().values(), index,
                Clock.systemUTC()), index, context.sessions()::deleteById, metrics));
    }
}

package io.renku.gateway.login;

import io.renku.gateway.metrics.GatewayMetrics;
import io.renku.gateway.session.SessionTokens;
import io.renku.gateway.web.GatewayContext;
import io.renku.gateway.web.ProblemExceptionMapper;
import java.time.Clock;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/**
 * The Jersey application under {@code login.loginRoutesBasePath}. Built by the context listener from the deployment's
 * resources (not by classpath scanning), so each resource gets what it needs through its constructor.
 */
public final class AuthApplication extends ResourceConfig {
    public AuthApplication(GatewayContext context, GatewayMetrics metrics) {
        register(JacksonFeature.class);
        register(new ProblemExceptionMapper(context.problems()));
        register(new AuthResponseHeaders());
        SessionTokens tokens = new SessionTokens(context.tokens());
        register(new UserResource(tokens));
        register(new GitlabExchangeResource());
        LogoutWiring logout = new LogoutWiring(context, tokens);
        register(new LoginResource(context.settings().login(), context.loginProviders(), tokens, context.tokens(),
                Clock.systemUTC(), logout.indexing(), metrics));
        logout.register(this, context, tokens, metrics);
        property(ServerProperties.WADL_FEATURE_DISABLE, true);
        property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true);
    }
}

package io.renku.gateway.login;

import io.renku.gateway.metrics.GatewayMetrics;
import io.renku.gateway.session.SessionIndex;
import io.renku.gateway.session.SessionTokens;
import io.renku.gateway.web.GatewayContext;
import io.renku.gateway.web.ProblemExceptionMapper;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/**
 * The Jersey application under {@code login.loginRoutesBasePath}. Built by the context listener from the deployment's
 * resources (not by classpath scanning), so each resource gets what it needs through its constructor. Login providers
 * of other protocols (SAML) and their endpoints come in through an {@link Extension}, so this package needs to know
 * nothing about them beyond {@link LoginProvider}.
 */
public final class AuthApplication extends ResourceConfig {
    /** Adds the endpoints of another protocol's providers, which finish their steps through {@code chain}. */
    public interface Extension {
        Map<String, ? extends LoginProvider> providers();

        List<Object> resources(LoginChain chain, SessionIndex index, SessionTokens tokens);
    }

    public AuthApplication(GatewayContext context, GatewayMetrics metrics) {
        this(context, metrics, List.of());
    }

    public AuthApplication(GatewayContext context, GatewayMetrics metrics, List<Extension> extensions) {
        register(JacksonFeature.class);
        register(new ProblemExceptionMapper(context.problems()));
        register(new AuthResponseHeaders());
        SessionTokens tokens = new SessionTokens(context.tokens());
        register(new UserResource(tokens));
        register(new GitlabExchangeResource());
        LogoutWiring logout = new LogoutWiring(context, tokens);
        Map<String, LoginProvider> all = new LinkedHashMap<>(context.loginProviders());
        extensions.forEach(e -> all.putAll(e.providers()));
        LoginChain chain = new LoginChain(context.settings().login(), all, tokens, context.tokens(),
                Clock.systemUTC(), logout.indexing());
        register(new LoginResource(chain, context.loginProviders(), Clock.systemUTC(), metrics));
        Map<String, LoginProvider> others = new LinkedHashMap<>();
        extensions.forEach(e -> others.putAll(e.providers()));
        logout.register(this, context, tokens, metrics, others);
        for (Extension extension : extensions) {
            extension.resources(chain, logout.index(), tokens).forEach(this::register);
        }
        property(ServerProperties.WADL_FEATURE_DISABLE, true);
        property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true);
    }
}

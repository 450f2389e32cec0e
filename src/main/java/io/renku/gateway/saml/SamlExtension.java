package io.renku.gateway.saml;

import io.renku.gateway.config.SamlProviderSettings;
import io.renku.gateway.login.AuthApplication;
import io.renku.gateway.login.LoginChain;
import io.renku.gateway.login.LoginProvider;
import io.renku.gateway.session.SessionIndex;
import io.renku.gateway.session.SessionTokens;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The SAML providers of a deployment and their endpoints, as one {@link AuthApplication.Extension} the wiring adds.
 * Building it reads every {@code idpMetadataFile}, so a bad file stops the deployment naming the setting.
 *
 * <p>java-saml logs a failed validation at ERROR with its own message, which can quote ids and values from the
 * response; the gateway logs its own one line per refusal instead, so java-saml's logger is switched off here, and Santuario's below SEVERE
 * (its warnings quote references and digests of the document) (the
 * references are kept: {@code java.util.logging} holds loggers weakly, and a collected logger would lose its level).
 */
public final class SamlExtension implements AuthApplication.Extension {
    private final Map<String, SamlProvider> providers = new LinkedHashMap<>();
    private final Consumer<String> deleteSession;
    private final Logger quiet = Logger.getLogger("com.onelogin");
    private final Logger quietSantuario = Logger.getLogger("org.apache.xml.security");

    public SamlExtension(Collection<SamlProviderSettings> settings, Duration clockSkew, Duration timeout,
            Duration retryDelay, Clock clock, Consumer<String> deleteSession) {
        quiet.setLevel(Level.OFF);
        quietSantuario.setLevel(Level.SEVERE);
        for (SamlProviderSettings provider : settings) {
            providers.put(provider.id(), new SamlProvider(provider, clockSkew, timeout, retryDelay, clock));
        }
        this.deleteSession = deleteSession;
    }

    @Override
    public Map<String, ? extends LoginProvider> providers() {
        return providers;
    }

    @Override
    public List<Object> resources(LoginChain chain, SessionIndex index, SessionTokens tokens) {
        if (providers.isEmpty()) {
            return List.of();
        }
        return List.of(new SamlResource(chain, providers, index, deleteSession));
    }

    Consumer<String> deleteSession() {
        return deleteSession;
    }
}

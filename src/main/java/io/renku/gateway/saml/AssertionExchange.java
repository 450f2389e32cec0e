package io.renku.gateway.saml;

import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.SAML2BearerGrant;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.Tokens;
import io.renku.gateway.config.SamlProviderSettings;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.Secret;
import io.renku.gateway.model.TokenSet;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The second design's step 7: the validated assertion exchanged for an access and refresh token with the SAML 2.0
 * Bearer Assertion grant (RFC 7522, {@code urn:ietf:params:oauth:grant-type:saml2-bearer}) at
 * {@code login.providers.<id>.tokenEndpoint}, client authentication {@code client_secret_basic} (or the client id
 * alone for a public client), through Nimbus. The {@code assertion} parameter is the base64url of the Assertion
 * element as the IdP signed it, so the authorization server can verify it; a Response signed only as a whole gives an
 * unsigned assertion that it will likely refuse. Tokens are stored like OIDC tokens, under the provider's id.
 */
final class AssertionExchange {
    private static final System.Logger LOG = System.getLogger(AssertionExchange.class.getName());

    private final Duration timeout;
    private final Clock clock;

    AssertionExchange(Duration timeout, Clock clock) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Empty when the provider has no token endpoint; otherwise the tokens, or 400/502/504 saying what failed. */
    Optional<TokenSet> exchange(SamlProviderSettings settings, String assertionXml) {
        if (settings.tokenEndpoint().isEmpty()) {
            return Optional.empty();
        }
        SAML2BearerGrant grant = new SAML2BearerGrant(Base64URL.encode(assertionXml.getBytes(StandardCharsets.UTF_8)));
        ClientID client = new ClientID(settings.clientId());
        TokenRequest request = settings.clientSecret().isEmpty()
                ? new TokenRequest(settings.tokenEndpoint().get(), client, grant)
                : new TokenRequest(settings.tokenEndpoint().get(), new ClientSecretBasic(client,
                        new com.nimbusds.oauth2.sdk.auth.Secret(settings.clientSecret().reveal())), grant);
        HTTPRequest http = request.toHTTPRequest();
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        http.setConnectTimeout(millis);
        http.setReadTimeout(millis);
        TokenResponse response;
        try {
            response = TokenResponse.parse(http.send());
        } catch (SocketTimeoutException e) {
            throw new GatewayException(ErrorKind.GATEWAY_TIMEOUT, "The token endpoint of '" + settings.id()
                    + "' did not answer in time. Try to log in again in a moment.", e);
        } catch (IOException | ParseException e) {
            LOG.log(System.Logger.Level.WARNING, "SAML assertion exchange at provider " + settings.id()
                    + " failed: " + e.getClass().getSimpleName());
            throw new GatewayException(ErrorKind.BAD_GATEWAY, "The token endpoint of '" + settings.id()
                    + "' could not be used. Try to log in again in a moment.", e);
        }
        if (!response.indicatesSuccess()) {
            String code = ((TokenErrorResponse) response).getErrorObject() == null ? null
                    : ((TokenErrorResponse) response).getErrorObject().getCode();
            String shown = code != null && code.matches("[a-z_]{1,64}") ? code : "unknown error";
            LOG.log(System.Logger.Level.WARNING, "SAML assertion exchange at provider " + settings.id()
                    + " refused: " + shown);
            if ("invalid_grant".equals(code)) {
                throw GatewayException.badRequest("The token endpoint of '" + settings.id() + "' refused the "
                        + "assertion (invalid_grant). Nothing was stored. Start the login again.");
            }
            throw new GatewayException(ErrorKind.BAD_GATEWAY, "The token endpoint of '" + settings.id()
                    + "' refused the gateway's request (" + shown + "). Check the client's settings.");
        }
        Tokens tokens = ((AccessTokenResponse) response).getTokens();
        long lifetime = tokens.getAccessToken().getLifetime();
        return Optional.of(new TokenSet(settings.id(), Secret.of(tokens.getAccessToken().getValue()),
                Optional.ofNullable(tokens.getRefreshToken()).map(r -> Secret.of(r.getValue())), Optional.empty(),
                lifetime > 0 ? Optional.of(clock.instant().plusSeconds(lifetime)) : Optional.empty()));
    }
}

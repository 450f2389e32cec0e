package io.renku.gateway.login;

import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.token.Tokens;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.Secret;
import io.renku.gateway.model.TokenSet;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * One refresh-token grant (RFC 6749 §6) at a provider's token endpoint (an OIDC provider's, or the one a SAML provider's
 * RFC 7522 exchange used), with the same client authentication as the
 * login ({@code client_secret_basic}, or the client id alone for a public client). Plain Java, so a test can run it
 * against a provider of its own; {@link TokenRefresher} decides when to call it and makes sure only one replica does.
 *
 * <p>Empty means the provider refused the refresh token ({@code invalid_grant}: expired, revoked, or already used
 * where refresh tokens rotate), which ends that login. A provider that is down, slow or answers garbage is a 502/504
 * and the tokens stay as they were. A new refresh or ID token replaces the old one only when the provider sends one
 * (providers that do not rotate send none). No token ever reaches a log line or a message.
 */
final class RefreshGrant {
    private static final System.Logger LOG = System.getLogger(RefreshGrant.class.getName());

    private final Clock clock;

    RefreshGrant(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    Optional<TokenSet> refresh(OidcProvider provider, TokenSet current) {
        return refresh(TokenEndpoint.of(provider), current);
    }

    Optional<TokenSet> refresh(TokenEndpoint provider, TokenSet current) {
        Secret refreshToken = current.refreshToken().orElseThrow(
                () -> new IllegalArgumentException("no refresh token to refresh with"));
        URI endpoint = provider.endpoint().get();
        RefreshTokenGrant grant = new RefreshTokenGrant(new RefreshToken(refreshToken.reveal()));
        ClientID clientId = new ClientID(provider.clientId());
        TokenRequest request = provider.clientSecret().isEmpty()
                ? new TokenRequest(endpoint, clientId, grant)
                : new TokenRequest(endpoint, new ClientSecretBasic(clientId,
                        new com.nimbusds.oauth2.sdk.auth.Secret(provider.clientSecret().reveal())), grant);
        HTTPRequest http = request.toHTTPRequest();
        int millis = (int) Math.min(Integer.MAX_VALUE, provider.timeout().toMillis());
        http.setConnectTimeout(millis);
        http.setReadTimeout(millis);
        TokenResponse response;
        try {
            response = OIDCTokenResponseParser.parse(http.send());
        } catch (IOException e) {
            throw OidcProvider.failure(provider.id(), "token refresh", e);
        } catch (ParseException e) {
            throw OidcProvider.failure(provider.id(), "unreadable token refresh response", e);
        }
        if (!response.indicatesSuccess()) {
            ErrorObject error = ((TokenErrorResponse) response).getErrorObject();
            String code = error == null || error.getCode() == null ? "" : error.getCode();
            if (code.equals("invalid_grant")) {
                LOG.log(System.Logger.Level.INFO, "Login provider " + provider.id() + " refused a refresh token "
                        + "(invalid_grant); that login ends");
                return Optional.empty();
            }
            String shown = code.matches("[a-z_]{1,64}") ? code : "unknown error";
            LOG.log(System.Logger.Level.WARNING, "Token refresh at login provider " + provider.id() + " failed: "
                    + shown + " (HTTP " + (error == null ? "?" : error.getHTTPStatusCode()) + ")");
            ErrorKind kind = error != null && error.getHTTPStatusCode() >= 500 ? ErrorKind.SERVICE_UNAVAILABLE
                    : ErrorKind.BAD_GATEWAY;
            throw new GatewayException(kind, "The identity provider '" + provider.id() + "' could not refresh your "
                    + "login (" + shown + "). Try again in a moment.");
        }
        Tokens tokens = response.toSuccessResponse().getTokens();
        long lifetime = tokens.getAccessToken().getLifetime();
        Optional<Secret> idToken = response instanceof OIDCTokenResponse oidc
                && oidc.getOIDCTokens().getIDTokenString() != null
                ? Optional.of(Secret.of(oidc.getOIDCTokens().getIDTokenString())) : current.idToken();
        return Optional.of(new TokenSet(current.provider(), Secret.of(tokens.getAccessToken().getValue()),
                tokens.getRefreshToken() != null ? Optional.of(Secret.of(tokens.getRefreshToken().getValue()))
                        : current.refreshToken(),
                idToken, lifetime > 0 ? Optional.of(clock.instant().plusSeconds(lifetime)) : Optional.empty()));
    }
}

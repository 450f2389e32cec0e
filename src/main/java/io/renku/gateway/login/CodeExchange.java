package io.renku.gateway.login;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.AccessTokenHash;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import com.nimbusds.openid.connect.sdk.validators.BadJWTExceptions;
import io.renku.gateway.config.LoginSettings.Provider;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.AuthMethod;
import io.renku.gateway.model.Identity;
import io.renku.gateway.model.Secret;
import io.renku.gateway.model.TokenSet;
import java.io.IOException;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The back half of one login step, as plain Java so a test can drive it against a provider of its own: exchanges the
 * authorization code at the token endpoint ({@code client_secret_basic}, with the step's PKCE verifier), then validates
 * the ID token (signature over the provider's JWKS with an allowed algorithm, {@code iss}, {@code aud}/{@code azp},
 * {@code exp}, {@code iat}, {@code nonce}, and {@code at_hash} when present). Nothing is stored here: the caller
 * stores the result only when every check passed, so a failure leaves the session as it was.
 *
 * <p>A provider that is down or slow is a 502/504; an ID token that fails a check, or a code the provider refuses, is a
 * 400 that says which check failed in words, never with a token, code or nonce in it.
 */
public final class CodeExchange {
    private static final System.Logger LOG = System.getLogger(CodeExchange.class.getName());

    private final Clock clock;

    /** What a successful step yields: the tokens for the session and who logged in. */
    public record Result(TokenSet tokens, Identity identity) {
    }

    public CodeExchange(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Result exchange(OidcProvider provider, String code, PendingLogin step) {
        OidcProvider.Discovered discovered = provider.discovered();
        Provider settings = provider.settings();
        AuthorizationCodeGrant grant = new AuthorizationCodeGrant(new AuthorizationCode(code), settings.callbackUri(),
                step.verifier().map(v -> new CodeVerifier(v.reveal())).orElse(null));
        ClientID clientId = new ClientID(settings.clientId());
        TokenRequest request = settings.clientSecret().isEmpty()
                ? new TokenRequest(discovered.metadata().getTokenEndpointURI(), clientId, grant)
                : new TokenRequest(discovered.metadata().getTokenEndpointURI(), new ClientSecretBasic(clientId,
                        new com.nimbusds.oauth2.sdk.auth.Secret(settings.clientSecret().reveal())), grant);
        HTTPRequest http = request.toHTTPRequest();
        int millis = (int) Math.min(Integer.MAX_VALUE, provider.timeout().toMillis());
        http.setConnectTimeout(millis);
        http.setReadTimeout(millis);
        TokenResponse response;
        try {
            HTTPResponse answer = http.send();
            response = OIDCTokenResponseParser.parse(answer);
        } catch (IOException e) {
            throw OidcProvider.failure(provider.id(), "token request", e);
        } catch (ParseException e) {
            throw OidcProvider.failure(provider.id(), "unreadable token response", e);
        }
        if (!response.indicatesSuccess()) {
            throw refused(provider.id(), ((TokenErrorResponse) response).getErrorObject());
        }
        if (!(response instanceof OIDCTokenResponse oidc) || oidc.getOIDCTokens().getIDToken() == null) {
            throw new GatewayException(ErrorKind.BAD_GATEWAY, "The identity provider '" + provider.id()
                    + "' answered without an ID token. Check that its client asks for the openid scope.");
        }
        OIDCTokens tokens = oidc.getOIDCTokens();
        IDTokenClaimsSet claims = validate(provider, discovered, tokens.getIDToken(), tokens.getAccessToken(), step);
        Identity identity = new Identity(claims.getSubject().getValue(), text(claims, "preferred_username"),
                text(claims, "name"), text(claims, "email"), claims.getIssuer().getValue(), AuthMethod.SESSION,
                Optional.empty(), Set.of(), Optional.empty());
        long lifetime = tokens.getAccessToken().getLifetime();
        TokenSet set = new TokenSet(provider.id(), Secret.of(tokens.getAccessToken().getValue()),
                Optional.ofNullable(tokens.getRefreshToken()).map(r -> Secret.of(r.getValue())),
                Optional.of(Secret.of(tokens.getIDTokenString())),
                lifetime > 0 ? Optional.of(clock.instant().plusSeconds(lifetime)) : Optional.empty());
        return new Result(set, identity);
    }

    private static IDTokenClaimsSet validate(OidcProvider provider, OidcProvider.Discovered discovered, JWT idToken,
            AccessToken accessToken, PendingLogin step) {
        IDTokenClaimsSet claims;
        try {
            claims = discovered.validator().validate(idToken, new Nonce(step.nonce().reveal()));
        } catch (BadJOSEException e) {
            throw invalid(provider.id(), reason(e));
        } catch (JOSEException e) {
            throw OidcProvider.failure(provider.id(), "signing keys", e);
        }
        AccessTokenHash atHash = claims.getAccessTokenHash();
        if (atHash != null && idToken.getHeader() instanceof JWSHeader header) {
            JWSAlgorithm alg = header.getAlgorithm();
            AccessTokenHash expected = AccessTokenHash.compute(accessToken, alg);
            if (expected == null || !expected.equals(atHash)) {
                throw invalid(provider.id(), "its at_hash does not match the access token");
            }
        }
        return claims;
    }

    /** Nimbus' reasons in our words: its messages can quote claim values (such as a nonce), so they are never shown. */
    static String reason(BadJOSEException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (e == BadJWTExceptions.EXPIRED_EXCEPTION) {
            return "it has expired (exp)";
        } else if (e == BadJWTExceptions.IAT_CLAIM_AHEAD_EXCEPTION) {
            return "it was issued in the future (iat); check the clocks";
        } else if (e == BadJWTExceptions.MISSING_NONCE_CLAIM_EXCEPTION) {
            return "it has no nonce";
        } else if (message.startsWith("Missing JWT") || message.contains("claim missing")
                || message.startsWith("Missing")) {
            return "it lacks a required claim (iss, sub, aud, exp or iat)";
        } else if (message.startsWith("Unexpected JWT issuer")) {
            return "it was issued by someone else (iss)";
        } else if (message.startsWith("Unexpected JWT audience") || message.contains("authorized party")) {
            return "it is meant for another client (aud/azp)";
        } else if (message.contains("nonce")) {
            return "its nonce does not belong to this login";
        } else if (message.contains("Invalid signature")) {
            return "its signature is invalid";
        } else if (message.contains("no matching key")) {
            return "it is signed with an algorithm or key the provider does not publish (alg/kid)";
        } else if (message.contains("Signed ID token expected") || message.toLowerCase().contains("plain")
                || message.contains("Unsecured")) {
            return "it is not signed (alg: none)";
        }
        return "it failed validation";
    }

    private static GatewayException invalid(String provider, String reason) {
        LOG.log(System.Logger.Level.WARNING, "Login refused an ID token from provider " + provider + ": " + reason);
        return GatewayException.badRequest("The identity provider '" + provider + "' sent an ID token the gateway "
                + "does not accept: " + reason + ". Start the login again.");
    }

    /** {@code invalid_grant}: the code expired, was used already, or PKCE failed; the user can simply retry. */
    private static GatewayException refused(String provider, ErrorObject error) {
        String code = error == null || error.getCode() == null ? "" : error.getCode();
        String shown = code.matches("[a-z_]{1,64}") ? code : "unknown error";
        if (code.equals("invalid_grant")) {
            return GatewayException.badRequest("The identity provider '" + provider + "' refused the authorization "
                    + "code (invalid_grant): it may have expired or been used already. Start the login again.");
        }
        if (code.equals("invalid_request")) {
            // The gateway builds every other part of the request, so the client-supplied code is what was refused;
            // logged all the same, in case a provider says invalid_request for a setting of ours.
            LOG.log(System.Logger.Level.WARNING, "Token request to login provider " + provider
                    + " refused: invalid_request (treated as a bad authorization code)");
            return GatewayException.badRequest("The identity provider '" + provider + "' refused the authorization "
                    + "code (invalid_request). Start the login again.");
        }
        LOG.log(System.Logger.Level.WARNING, "Token request to login provider " + provider + " refused: " + shown);
        return new GatewayException(ErrorKind.BAD_GATEWAY, "The identity provider '" + provider
                + "' refused the gateway's token request (" + shown + "). Check the client's settings.");
    }

    private static String text(IDTokenClaimsSet claims, String name) {
        Object value = claims.getClaim(name);
        return value instanceof String s ? s : "";
    }
}

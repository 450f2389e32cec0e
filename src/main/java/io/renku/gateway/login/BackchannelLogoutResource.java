package io.renku.gateway.login;

import com.nimbusds.oauth2.sdk.util.URLUtils;
import io.renku.gateway.metrics.GatewayMetrics;
import io.renku.gateway.session.SessionIndex;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code POST /backchannel-logout}: the identity provider tells the gateway that a user's session there has ended
 * (OpenID Connect Back-Channel Logout 1.0), and the gateway deletes every session of ours that belongs to it, found
 * through the {@link SessionIndex} kept at login. A token with {@code sid} ends the sessions of that provider session;
 * one with only {@code sub} ends all of that user's sessions, as §2.7 of the spec asks.
 *
 * <p>Answers per §2.8: 200 when the token was valid (also when no session of ours matched: the user may simply have
 * logged out here first), 400 with {@code {"error":"invalid_request","error_description":…}} otherwise, always with
 * {@code Cache-Control: no-store}. The endpoint needs no cookie and no client authentication: the signed, single-use
 * logout token is the credential. It is reached by the provider server to server, so nothing here redirects.
 *
 * <p>The body is read here, not by Jersey's form reader: that reader answers a missing or foreign content type, or a
 * {@code charset} the JVM does not know, with an exception (a 500), while the spec asks for a 400 in every case the
 * request is not a well-formed logout request. So any content type reaches this method, the body is read up to
 * {@link #MAX_BODY_BYTES}, and only {@code application/x-www-form-urlencoded} in UTF-8 (or ASCII, or no charset) with
 * exactly one {@code logout_token} is accepted; Nimbus' {@link URLUtils} decodes the form.
 */
@Path("")
public final class BackchannelLogoutResource {
    private static final System.Logger LOG = System.getLogger(BackchannelLogoutResource.class.getName());
    /** A logout token is a signed JWT of a few KiB; 64 KiB leaves room without letting a caller fill the heap. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private final LogoutTokens logoutTokens;
    private final SessionIndex index;
    private final Consumer<String> deleteSession;

    private final GatewayMetrics metrics;

    BackchannelLogoutResource(LogoutTokens logoutTokens, SessionIndex index, Consumer<String> deleteSession) {
        this(logoutTokens, index, deleteSession, GatewayMetrics.inMemory());
    }

    BackchannelLogoutResource(LogoutTokens logoutTokens, SessionIndex index, Consumer<String> deleteSession,
            GatewayMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.logoutTokens = Objects.requireNonNull(logoutTokens, "logoutTokens");
        this.index = Objects.requireNonNull(index, "index");
        this.deleteSession = Objects.requireNonNull(deleteSession, "deleteSession");
    }

    @POST
    @Path("backchannel-logout")
    @Consumes(MediaType.WILDCARD)
    public Response logout(@HeaderParam("Content-Type") String contentType, InputStream body) {
        LogoutTokens.Verified verified;
        try {
            verified = logoutTokens.verify(logoutToken(contentType, body));
        } catch (LogoutTokens.Invalid e) {
            LOG.log(System.Logger.Level.WARNING, "Back-channel logout refused: " + e.getMessage());
            metrics.backchannelLogout("refused", 0);
            return invalidRequest(e.getMessage());
        } catch (BadRequest e) {
            LOG.log(System.Logger.Level.WARNING, "Back-channel logout refused: " + e.getMessage());
            metrics.backchannelLogout("refused", 0);
            return invalidRequest(e.getMessage());
        }
        Set<String> sessions = verified.sid()
                .map(sid -> index.take(SessionIndex.sidKey(verified.issuer(), sid)))
                .orElseGet(() -> index.take(SessionIndex.subKey(verified.issuer(), verified.sub().orElseThrow())));
        sessions.forEach(deleteSession);
        metrics.backchannelLogout("accepted", sessions.size());
        LOG.log(System.Logger.Level.INFO, "Back-channel logout from " + verified.issuer() + " ended "
                + sessions.size() + " session(s)");
        return Response.ok().header("Cache-Control", "no-store").build();
    }

    private static Response invalidRequest(String description) {
        return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON_TYPE)
                .header("Cache-Control", "no-store")
                .entity(Map.of("error", "invalid_request", "error_description", description)).build();
    }

    /** The one {@code logout_token} of a form body, or a {@link BadRequest} that says what is wrong with the body. */
    static String logoutToken(String contentType, InputStream body) throws BadRequest {
        checkContentType(contentType);
        String form;
        try {
            byte[] bytes = body == null ? new byte[0] : body.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new BadRequest("the body is larger than " + MAX_BODY_BYTES + " bytes");
            }
            form = new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadRequest("the body could not be read");
        }
        List<String> tokens;
        try {
            tokens = URLUtils.parseParameters(form).get("logout_token");
        } catch (IllegalArgumentException e) {
            throw new BadRequest("the form body is not well-formed");
        }
        if (tokens == null || tokens.isEmpty() || tokens.get(0).isBlank()) {
            throw new BadRequest("the logout_token parameter is missing");
        }
        if (tokens.size() > 1) {
            throw new BadRequest("the logout_token parameter is repeated");
        }
        return tokens.get(0);
    }

    private static void checkContentType(String contentType) throws BadRequest {
        if (contentType == null || contentType.isBlank()) {
            throw new BadRequest("the request has no Content-Type; send application/x-www-form-urlencoded");
        }
        String[] parts = contentType.split(";");
        if (!parts[0].trim().equalsIgnoreCase(MediaType.APPLICATION_FORM_URLENCODED)) {
            throw new BadRequest("the Content-Type must be application/x-www-form-urlencoded");
        }
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim();
            int eq = parameter.indexOf('=');
            if (eq > 0 && parameter.substring(0, eq).trim().equalsIgnoreCase("charset")) {
                String charset = parameter.substring(eq + 1).trim().replace("\"", "").toLowerCase(Locale.ROOT);
                if (!charset.equals("utf-8") && !charset.equals("us-ascii")) {
                    throw new BadRequest("the form must be UTF-8 (charset=utf-8 or no charset)");
                }
            }
        }
    }

    /** A body that is not a logout request; its message names what is wrong and never quotes the body. */
    static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false);
        }
    }
}

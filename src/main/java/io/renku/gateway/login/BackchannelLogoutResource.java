package io.renku.gateway.login;

import io.renku.gateway.session.SessionIndex;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
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
 */
@Path("")
public final class BackchannelLogoutResource {
    private static final System.Logger LOG = System.getLogger(BackchannelLogoutResource.class.getName());

    private final LogoutTokens logoutTokens;
    private final SessionIndex index;
    private final Consumer<String> deleteSession;

    BackchannelLogoutResource(LogoutTokens logoutTokens, SessionIndex index, Consumer<String> deleteSession) {
        this.logoutTokens = Objects.requireNonNull(logoutTokens, "logoutTokens");
        this.index = Objects.requireNonNull(index, "index");
        this.deleteSession = Objects.requireNonNull(deleteSession, "deleteSession");
    }

    @POST
    @Path("backchannel-logout")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response logout(@FormParam("logout_token") String token) {
        LogoutTokens.Verified verified;
        try {
            verified = logoutTokens.verify(token);
        } catch (LogoutTokens.Invalid e) {
            LOG.log(System.Logger.Level.WARNING, "Back-channel logout refused: " + e.getMessage());
            return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON_TYPE)
                    .header("Cache-Control", "no-store")
                    .entity(Map.of("error", "invalid_request", "error_description", e.getMessage())).build();
        }
        Set<String> sessions = verified.sid()
                .map(sid -> index.take(SessionIndex.sidKey(verified.issuer(), sid)))
                .orElseGet(() -> index.take(SessionIndex.subKey(verified.issuer(), verified.sub().orElseThrow())));
        sessions.forEach(deleteSession);
        LOG.log(System.Logger.Level.INFO, "Back-channel logout from " + verified.issuer() + " ended "
                + sessions.size() + " session(s)");
        return Response.ok().header("Cache-Control", "no-store").build();
    }
}

package io.renku.gateway.login;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.Secret;
import io.renku.gateway.proxy.UpstreamCredentials;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET <login.loginRoutesBasePath>/gitlab/exchange}, the Go gateway's endpoint for clients (the UI, the CLI)
 * that talk to GitLab themselves: the GitLab access token of the session's user and when it expires, refreshed first
 * if it is due. It reads the caller's credentials as the proxy does ({@link UpstreamCredentials}, set by the caller
 * filter), so the token passes through the same refresh hook and only a logged-in session's stored token is ever
 * handed out; Bearer and anonymous callers get 401. {@code Cache-Control: no-store}, since the body is a credential.
 */
@Path("gitlab/exchange")
public final class GitlabExchangeResource {
    @Context
    private HttpServletRequest request;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response exchange() {
        Optional<UpstreamCredentials> credentials = request.getAttribute(UpstreamCredentials.ATTRIBUTE)
                instanceof UpstreamCredentials c ? Optional.of(c) : Optional.empty();
        Optional<Secret> token = credentials.flatMap(UpstreamCredentials::gitlabToken).filter(t -> !t.isEmpty());
        if (token.isEmpty()) {
            throw new GatewayException(ErrorKind.UNAUTHORIZED, "This session holds no GitLab login. Log in to GitLab "
                    + "through the gateway first.");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", token.get().reveal());
        body.put("expires_at", credentials.get().gitlabExpiresAt().map(Instant::getEpochSecond).orElse(0L));
        return Response.ok(body).header("Cache-Control", "no-store").build();
    }
}

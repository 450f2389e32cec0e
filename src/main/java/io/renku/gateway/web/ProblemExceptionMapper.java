package io.renku.gateway.web;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Map;

/**
 * Jersey's side of the single error renderer: whatever a resource throws becomes the same problem body the servlet
 * side writes, through {@link ProblemRenderer}. JAX-RS's own errors (unknown path, wrong method, unsupported media
 * type) keep their status but get our body; anything unexpected is a 500 without the exception's text.
 *
 * <p>Some client mistakes reach here as plain exceptions rather than JAX-RS ones, because Jersey's readers throw
 * them while decoding the request: a {@code charset} the JVM does not know, a form parameter read from a body that is
 * not a form. (A header Jersey cannot parse never gets here: Jersey answers it with an empty 400 itself, which
 * {@code login.EmptyErrorBodies} fills in.) {@link #clientMistake} recognises those by type (never by the request) and
 * answers 4xx, so no request can produce a 500 by its content type, charset or headers alone.
 */
public final class ProblemExceptionMapper implements ExceptionMapper<Throwable> {
    private static final Logger LOG = System.getLogger(ProblemExceptionMapper.class.getName());

    private final ProblemRenderer renderer;

    @Context
    private HttpServletRequest request;

    public ProblemExceptionMapper(ProblemRenderer renderer) {
        this.renderer = renderer;
    }

    @Override
    public Response toResponse(Throwable exception) {
        String instance = request.getRequestURI();
        String requestId = RequestFilter.requestIdOf(request);
        GatewayException gateway = RequestFilter.findGatewayCause(exception);
        Problem mistake = gateway == null ? clientMistake(exception) : null;
        Problem problem;
        if (gateway != null) {
            problem = Problem.of(gateway, instance, requestId);
        } else if (exception instanceof WebApplicationException web && web.getResponse().getStatus() < 500) {
            problem = Problem.forStatus(web.getResponse().getStatus(), request.getMethod(), instance, requestId);
        } else if (mistake != null) {
            problem = new Problem(mistake.kind(), mistake.detail(), instance, requestId, Map.of());
        } else {
            LOG.log(Level.ERROR, "Request " + requestId + " failed in a resource", exception);
            problem = Problem.unexpected(instance, requestId);
        }
        ProblemRenderer.Body body = renderer.render(problem, request.getHeader("Accept"));
        Response.ResponseBuilder response = Response.status(problem.status()).type(body.mediaType())
                .header("Cache-Control", "no-store").entity(body.text());
        problem.headers().forEach(response::header);
        ProblemRenderer.securityHeaders(body.mediaType()).forEach(response::header);
        return response.build();
    }

    /** The 4xx for an exception that only the client's request can cause, or {@code null}. */
    static Problem clientMistake(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof UnsupportedCharsetException || t instanceof IllegalCharsetNameException) {
                return mistake(ErrorKind.UNSUPPORTED_MEDIA_TYPE, "The request's charset is not supported; send UTF-8");
            }
            if (t instanceof IllegalStateException && t.getMessage() != null && t.getMessage().contains("@FormParam")) {
                return mistake(ErrorKind.UNSUPPORTED_MEDIA_TYPE,
                        "This endpoint expects a form body (application/x-www-form-urlencoded)");
            }
        }
        return null;
    }

    private static Problem mistake(ErrorKind kind, String detail) {
        return new Problem(kind, detail, null, null, Map.of());
    }
}

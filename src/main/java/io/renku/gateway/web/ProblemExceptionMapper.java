package io.renku.gateway.web;

import io.renku.gateway.errors.GatewayException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * Jersey's side of the single error renderer: whatever a resource throws becomes the same problem body the servlet
 * side writes, through {@link ProblemRenderer}. JAX-RS's own errors (unknown path, wrong method, unsupported media
 * type) keep their status but get our body; anything unexpected is a 500 without the exception's text.
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
        Problem problem;
        if (gateway != null) {
            problem = Problem.of(gateway, instance, requestId);
        } else if (exception instanceof WebApplicationException web && web.getResponse().getStatus() < 500) {
            problem = Problem.forStatus(web.getResponse().getStatus(), request.getMethod(), instance, requestId);
        } else {
            LOG.log(Level.ERROR, "Request " + requestId + " failed in a resource", exception);
            problem = Problem.unexpected(instance, requestId);
        }
        ProblemRenderer.Body body = renderer.render(problem, request.getHeader("Accept"));
        Response.ResponseBuilder response = Response.status(problem.status()).type(body.mediaType())
                .header("Cache-Control", "no-store").entity(body.text());
        problem.headers().forEach(response::header);
        return response.build();
    }
}

package io.renku.gateway.web;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The container's error page ({@code <error-page>} in {@code web.xml}): errors the container produces itself, such as
 * a 404 for an unmapped path or a 405, get the same problem body as the gateway's own. Asked for directly, it is a 404,
 * or a 501 for {@code CONNECT}: WildFly's configuration ({@code server-config/wildfly/gateway.cli}) sends a request
 * whose target is not a path ({@code CONNECT host:port}, {@code GET *}) here, which Undertow's servlet mapping would
 * otherwise answer with a 500 of its own.
 */
public final class ErrorPageServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private transient ProblemRenderer problems;

    @Override
    public void init() {
        problems = GatewayContext.from(getServletContext()).problems();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String instance = uri == null ? request.getRequestURI() : uri.toString();
        String requestId = RequestFilter.requestIdOf(request);
        GatewayException gateway = RequestFilter.findGatewayCause(
                (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION));
        Problem problem;
        if (gateway != null) {
            problem = Problem.of(gateway, instance, requestId);
        } else if (code == null && "CONNECT".equals(request.getMethod())) {
            problem = Problem.of(new GatewayException(ErrorKind.NOT_IMPLEMENTED,
                    "CONNECT is not supported: the gateway is not a forward proxy"), instance, requestId);
        } else if (code == null) {
            problem = Problem.forStatus(404, null, instance, requestId);
        } else if (code instanceof Integer status && status < 500) {
            problem = Problem.forStatus(status, null, instance, requestId);
        } else {
            problem = Problem.unexpected(instance, requestId);
        }
        problems.write(problem, request.getHeader("Accept"), response);
    }
}

package io.renku.gateway.web;

import io.renku.gateway.errors.GatewayException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /ready}: 200 only when every configured dependency answers; otherwise 503 problem+json whose detail names
 * each dependency that is down. Load balancers use it to take a replica out of rotation while its Redis is away.
 */
public final class ReadyServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private transient List<ReadinessCheck> checks;

    @Override
    public void init() {
        checks = GatewayContext.from(getServletContext()).readiness();
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        List<String> down = new ArrayList<>();
        StringBuilder up = new StringBuilder();
        for (ReadinessCheck check : checks) {
            try {
                check.probe();
                up.append(up.length() == 0 ? "" : ",").append('"').append(ProblemRenderer.escape(check.name()))
                        .append("\":\"UP\"");
            } catch (Exception e) {
                down.add(check.name() + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        if (!down.isEmpty()) {
            throw GatewayException.unavailable("Not ready: " + String.join(", ", down) + " not answering", 5, null);
        }
        response.setStatus(200);
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/json");
        response.getWriter().write("{\"status\":\"UP\",\"checks\":{" + up + "}}");
    }
}

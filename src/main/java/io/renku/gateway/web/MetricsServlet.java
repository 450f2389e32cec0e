package io.renku.gateway.web;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.metrics.GatewayMetrics;
import io.renku.gateway.model.Secret;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/**
 * {@code GET /metrics}: every meter in Prometheus' text format. The page tells an outsider how busy the gateway is and
 * which upstreams fail, so it is not public: with {@code monitoring.metricsToken} set, every scrape must send
 * {@code Authorization: Bearer <token>} (compared in constant time); without it, only loopback callers may scrape
 * (a sidecar, or a node exporter on the same host). Behind a reverse proxy on the same host every caller looks like
 * loopback, so set the token there, or Tomcat's {@code RemoteIpValve} so the container sees the real address.
 */
public final class MetricsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private transient GatewayMetrics metrics;
    private transient Secret token;

    @Override
    public void init() {
        metrics = GatewayMetrics.of(getServletContext());
        token = GatewayContext.from(getServletContext()).settings().ops().metricsToken();
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!token.isEmpty()) {
            if (!presents(request.getHeader("Authorization"), token)) {
                throw new GatewayException(ErrorKind.UNAUTHORIZED, "/metrics needs the monitoring token as "
                        + "Authorization: Bearer", null, Map.of("WWW-Authenticate", "Bearer realm=\"metrics\""));
            }
        } else if (!isLoopback(request.getRemoteAddr())) {
            throw new GatewayException(ErrorKind.FORBIDDEN, "/metrics answers loopback callers only unless "
                    + "monitoring.metricsToken is set");
        }
        byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("text/plain; version=0.0.4; charset=utf-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    static boolean presents(String authorization, Secret token) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8),
                token.reveal().getBytes(StandardCharsets.UTF_8));
    }

    static boolean isLoopback(String address) {
        try {
            return address != null && InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}

package io.renku.gateway.proxy;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.web.GatewayContext;
import java.io.InterruptedIOException;
import java.net.URI;
import java.util.Map;
import org.apache.http.HttpRequest;
import org.apache.http.HttpResponse;
import org.mitre.dsmiley.httpproxy.ProxyServlet;

/**
 * Forwards {@code /api/data/*} to {@code revproxy.renkuServices.dataService}, path unchanged. Smiley's servlet does
 * the forwarding; this subclass only takes its target from the gateway's settings instead of servlet init-params and
 * turns upstream failures into 502/504 problems instead of a 500.
 */
public class DataServiceProxyServlet extends ProxyServlet {
    private static final long serialVersionUID = 1L;
    private transient Map<String, String> params;

    @Override
    public void init() throws jakarta.servlet.ServletException {
        URI upstream = GatewayContext.from(getServletContext()).settings().revproxy().dataService();
        String base = upstream.toString().replaceAll("/+$", "");
        params = Map.of(
                P_TARGET_URI, base + "/api/data",
                P_MAXCONNECTIONS, "64",
                P_USESYSTEMPROPERTIES, "false",
                P_LOG, "false",
                P_CONNECTTIMEOUT, "5000",
                P_READTIMEOUT, "60000");
        super.init();
    }

    @Override
    protected String getConfigParam(String key) {
        String value = params.get(key);
        return value != null ? value : super.getConfigParam(key);
    }

    @Override
    protected void handleRequestException(HttpRequest proxyRequest, HttpResponse proxyResponse, Exception e) {
        if (proxyResponse != null) {
            closeQuietly(() -> org.apache.http.util.EntityUtils.consumeQuietly(proxyResponse.getEntity()));
        }
        if (e instanceof InterruptedIOException) {
            throw new GatewayException(ErrorKind.GATEWAY_TIMEOUT, "The data service did not answer in time", e);
        }
        throw new GatewayException(ErrorKind.BAD_GATEWAY, "The data service could not be reached", e);
    }
}

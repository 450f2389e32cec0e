package io.renku.gateway.proxy;

import io.renku.gateway.auth.Callers;
import io.renku.gateway.config.RevproxySettings;
import io.renku.gateway.model.Identity;
import io.renku.gateway.config.RouteSettings;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.metrics.GatewayMetrics;
import io.renku.gateway.model.Route;
import io.renku.gateway.web.GatewayContext;
import io.renku.gateway.web.RequestFilter;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.http.Header;
import org.apache.http.HttpEntityEnclosingRequest;
import org.apache.http.HttpRequest;
import org.apache.http.HttpResponse;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.utils.URIUtils;
import org.apache.http.entity.InputStreamEntity;
import org.mitre.dsmiley.httpproxy.ProxyServlet;

/**
 * The one proxy servlet, mapped at {@code /*} so every path that no other servlet claims is forwarded. It picks the
 * route per request from {@link RouteSettings} (longest prefix) and sets Smiley's per-request target attributes, so
 * all routes share one HttpClient and one connection pool ({@code revproxy.maxConnections}, total and per upstream)
 * instead of one servlet, pool and web.xml entry per route.
 *
 * <p>Smiley does the forwarding and streams both bodies (an {@code InputStreamEntity} over the servlet input, and the
 * upstream entity copied in 4 KiB steps to the servlet output); nothing here buffers a body. The overrides only decide:
 * the raw path to send ({@link ForwardPath}, never the container's decoded {@code pathInfo}), which client headers pass
 * ({@link RequestHeaderPolicy}, {@link SessionCookies}), what is injected ({@link CredentialInjector}), and what an
 * upstream failure means ({@link UpstreamFailures}). Smiley's own cookie renaming ({@code preserveCookies=false}
 * prefixes names with {@code !Proxy!}) and its {@code X-Forwarded-For} appending are switched off.
 */
public class GatewayProxyServlet extends ProxyServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = System.getLogger(GatewayProxyServlet.class.getName());
    private static final String ROUTE = GatewayProxyServlet.class.getName() + ".route";
    private static final String PATH = GatewayProxyServlet.class.getName() + ".path";
    private static final String DEADLINE = GatewayProxyServlet.class.getName() + ".deadline";

    private transient RouteSettings routes;
    /** Each route's upstream origin and host, made once: they were built anew, several times, on every request. */
    private transient Map<Route, Target> targets;
    private transient SessionCookies sessionCookies;
    private transient Map<String, String> params;
    private transient int maxResponseMillis;
    private transient IdentityAssertions identityAssertions;
    private transient GatewayMetrics metrics;
    /** server.allowOrigin is set: the gateway answers CORS, an upstream's Access-Control-* must not mix in. */
    private transient boolean corsOwned;
    /** Held so the gauges keep reading it (Micrometer holds gauge targets weakly). */
    private transient org.apache.http.impl.conn.PoolingHttpClientConnectionManager pool;

    @Override
    public void init() throws ServletException {
        GatewayContext context = GatewayContext.from(getServletContext());
        identityAssertions = getServletContext().getAttribute(IdentityAssertions.ATTRIBUTE)
                instanceof IdentityAssertions a ? a : null;
        RevproxySettings revproxy = context.settings().revproxy();
        routes = context.settings().routes();
        Map<Route, Target> t = new java.util.IdentityHashMap<>();
        for (Route route : routes.routes()) {
            if (route.upstream() == null) {
                continue; // a deny rule: nothing is forwarded
            }
            t.put(route, new Target(origin(route.upstream()), URIUtils.extractHost(route.upstream())));
        }
        targets = t;
        maxResponseMillis = revproxy.maxResponseMillis();
        sessionCookies = new SessionCookies(routes.sessionCookieName());
        metrics = GatewayMetrics.of(getServletContext());
        corsOwned = io.renku.gateway.edge.CorsFilter.owns(getServletContext());
        Map<String, String> p = new HashMap<>();
        p.put(P_TARGET_URI, revproxy.dataService().toString()); // Smiley needs one; each request sets its own
        p.put(P_MAXCONNECTIONS, Integer.toString(revproxy.maxConnections()));
        p.put(P_USESYSTEMPROPERTIES, "false"); // true would cap the pool at 5 per upstream (http.maxConnections)
        p.put(P_CONNECTTIMEOUT, Integer.toString(revproxy.connectTimeoutMillis()));
        p.put(P_CONNECTIONREQUESTTIMEOUT, Integer.toString(revproxy.connectTimeoutMillis()));
        p.put(P_READTIMEOUT, Integer.toString(revproxy.readTimeoutMillis()));
        p.put(P_PRESERVECOOKIES, "true");
        p.put(P_PRESERVECOOKIEPATH, "true");
        p.put(P_FORWARDEDFOR, "false"); // we set X-Forwarded-* ourselves, without trusting the client's
        p.put(P_PRESERVEHOST, "false");
        p.put(P_HANDLEREDIRECTS, "false");
        p.put(P_HANDLECOMPRESSION, "false");
        p.put(P_LOG, "false");
        params = Map.copyOf(p);
        super.init();
    }

    @Override
    protected String getConfigParam(String key) {
        String value = params.get(key);
        return value != null ? value : super.getConfigParam(key);
    }

    /**
     * The same client Smiley would build, over a pool the gateway holds so its occupancy is a gauge on
     * {@code /metrics}. The pool gets what Smiley would have set on the builder: the size
     * ({@code revproxy.maxConnections}, total and per upstream) and the socket timeout.
     */
    @Override
    protected org.apache.http.client.HttpClient buildHttpClient(org.apache.http.impl.client.HttpClientBuilder builder) {
        org.apache.http.impl.conn.PoolingHttpClientConnectionManager pool =
                new org.apache.http.impl.conn.PoolingHttpClientConnectionManager();
        pool.setMaxTotal(maxConnections);
        pool.setDefaultMaxPerRoute(maxConnections);
        pool.setDefaultSocketConfig(buildSocketConfig());
        metrics.gauge("gateway.upstream.pool.leased", "Upstream connections in use", pool,
                p -> p.getTotalStats().getLeased());
        metrics.gauge("gateway.upstream.pool.available", "Idle upstream connections kept open", pool,
                p -> p.getTotalStats().getAvailable());
        metrics.gauge("gateway.upstream.pool.pending", "Requests waiting for an upstream connection", pool,
                p -> p.getTotalStats().getPending());
        metrics.gauge("gateway.upstream.pool.max", "Upstream connection pool size", pool,
                p -> p.getTotalStats().getMax());
        this.pool = pool;
        // The gateway decides about cookies itself (SessionCookies) and forwards the rest as headers: HttpClient's own
        // cookie and auth-state machinery only cost time on every request.
        return super.buildHttpClient(builder.setConnectionManager(pool).disableCookieManagement()
                .disableAuthCaching().disableConnectionState());
    }

    /** The upstream's time to answer (status and headers), by route. */
    @Override
    protected HttpResponse doExecute(HttpServletRequest request, HttpServletResponse response, HttpRequest proxyRequest)
            throws IOException {
        long start = System.nanoTime();
        try {
            return super.doExecute(request, response, proxyRequest);
        } finally {
            Route route = (Route) request.getAttribute(ROUTE);
            long nanos = System.nanoTime() - start;
            metrics.upstream(route.prefix(), nanos);
            request.setAttribute(RequestFilter.UPSTREAM_NANOS_ATTRIBUTE, nanos);
        }
    }

    /** The client's body is read under the exchange's deadline ({@code revproxy.maxResponseMillis}). */
    @Override
    protected HttpRequest newProxyRequestWithEntity(String method, String proxyRequestUri,
            HttpServletRequest servletRequest) throws IOException {
        HttpRequest proxyRequest = super.newProxyRequestWithEntity(method, proxyRequestUri, servletRequest);
        if (proxyRequest instanceof HttpEntityEnclosingRequest enclosing
                && enclosing.getEntity() instanceof InputStreamEntity body) {
            enclosing.setEntity(new InputStreamEntity(deadlineOf(servletRequest).guardUpload(body.getContent()),
                    body.getContentLength()));
        }
        return proxyRequest;
    }

    /** The upstream's body is read under the same deadline, however Smiley copies it. */
    @Override
    protected void copyResponseEntity(HttpResponse proxyResponse, HttpServletResponse servletResponse,
            HttpRequest proxyRequest, HttpServletRequest servletRequest) throws IOException {
        proxyResponse.setEntity(deadlineOf(servletRequest).guard(proxyResponse.getEntity()));
        super.copyResponseEntity(proxyResponse, servletResponse, proxyRequest, servletRequest);
    }

    private record Target(String origin, org.apache.http.HttpHost host) {
    }

    private Target target(Route route) {
        Target target = targets.get(route);
        return target != null ? target : new Target(origin(route.upstream()), URIUtils.extractHost(route.upstream()));
    }

    private static ExchangeDeadline deadlineOf(HttpServletRequest request) {
        return request.getAttribute(DEADLINE) instanceof ExchangeDeadline d ? d : ExchangeDeadline.in(0);
    }

    /** HttpClient would otherwise re-encode the path from decoded segments and drop empty ones. */
    @Override
    protected RequestConfig buildRequestConfig() {
        return RequestConfig.copy(super.buildRequestConfig()).setNormalizeUri(false).build();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        request.setAttribute(DEADLINE, ExchangeDeadline.in(maxResponseMillis));
        String path = ForwardPath.of(rawPath(request));
        RequestFraming.checkContentLength(java.util.Collections.list(request.getHeaders("Content-Length")));
        RequestFraming.checkTransferEncoding(java.util.Collections.list(request.getHeaders("Transfer-Encoding")));
        Route route = routes.resolve(path, ForwardPath.ruleView(path));
        CredentialInjector.checkAccess(route, credentialsOf(request));
        request.setAttribute(ROUTE, route);
        request.setAttribute(RequestFilter.ROUTE_ATTRIBUTE, route.prefix());
        request.setAttribute(PATH, path);
        Target target = target(route);
        request.setAttribute(ATTR_TARGET_URI, target.origin());
        request.setAttribute(ATTR_TARGET_HOST, target.host());
        try {
            super.service(request, response);
        } catch (GatewayException e) {
            if (e.kind().status() >= 500) {
                metrics.upstreamError(route.prefix(), e.kind().slug());
                Throwable cause = e.getCause();
                LOG.log(Level.WARNING, "Request " + RequestFilter.requestIdOf(request) + " to route " + route.prefix()
                        + " (" + target.origin() + ") failed: " + e.kind().status() + " "
                        + (cause == null ? "" : cause.getClass().getName() + ": " + cause.getMessage()));
            }
            discardUpstreamHeaders(request, response);
            throw e;
        }
    }

    /**
     * A failure after the upstream's status and headers were copied (a timeout in the body) must not send them with
     * the problem: a stray Set-Cookie or Content-Length of the upstream's would ride along.
     */
    private static void discardUpstreamHeaders(HttpServletRequest request, HttpServletResponse response) {
        if (!response.isCommitted()) {
            response.reset();
            String requestId = RequestFilter.requestIdOf(request);
            if (requestId != null) {
                response.setHeader(RequestFilter.REQUEST_ID_HEADER, requestId);
            }
        }
    }

    /** The path as the client sent it (still percent-encoded), without the context path. */
    private static String rawPath(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        return context != null && !context.isEmpty() && uri.startsWith(context) ? uri.substring(context.length())
                : uri;
    }

    @Override
    protected String rewriteUrlFromRequest(HttpServletRequest request) {
        Route route = (Route) request.getAttribute(ROUTE);
        String query = request.getQueryString();
        String url = target(route).origin() + route.upstreamPath((String) request.getAttribute(PATH))
                + (query == null ? "" : "?" + query);
        try {
            new URI(url);
        } catch (URISyntaxException e) {
            throw GatewayException.badRequest("The request path or query is not a valid URI: " + e.getReason());
        }
        return url;
    }

    @Override
    protected void copyRequestHeaders(HttpServletRequest request, HttpRequest proxyRequest) {
        RequestHeaderPolicy policy = RequestHeaderPolicy.forConnectionHeaders(
                Collections.list(request.getHeaders("Connection")));
        for (Enumeration<String> names = request.getHeaderNames(); names.hasMoreElements(); ) {
            String name = names.nextElement();
            if (!policy.forwards(name)) {
                continue;
            }
            for (Enumeration<String> values = request.getHeaders(name); values.hasMoreElements(); ) {
                String value = values.nextElement();
                if (name.equalsIgnoreCase("Cookie")) {
                    value = sessionCookies.withoutSessionCookie(value);
                }
                if (value != null) {
                    proxyRequest.addHeader(name, value);
                }
            }
        }
        addForwardedHeaders(request, proxyRequest);
        Route route = (Route) request.getAttribute(ROUTE);
        CredentialInjector.inject(route.credentials(), credentialsOf(request), proxyRequest::setHeader);
        Header anonymous = proxyRequest.getFirstHeader("Renku-Auth-Anon-Id");
        if (anonymous != null) {
            request.setAttribute(RequestFilter.ANONYMOUS_ID_ATTRIBUTE, anonymous.getValue());
        }
        if (identityAssertions != null) {
            Identity caller = Callers.of(request);
            if (!caller.isAnonymous()) {
                proxyRequest.setHeader(IdentityAssertions.HEADER, identityAssertions.assertion(
                        IdentityAssertions.callerOf(request, caller), target(route).origin()));
            }
        }
    }

    /** Only what the gateway itself saw: the client's own X-Forwarded-* were dropped by the policy. */
    private static void addForwardedHeaders(HttpServletRequest request, HttpRequest proxyRequest) {
        proxyRequest.setHeader("X-Forwarded-For", request.getRemoteAddr());
        proxyRequest.setHeader("X-Forwarded-Proto", request.getScheme());
        String host = request.getHeader("Host");
        if (host != null) {
            proxyRequest.setHeader("X-Forwarded-Host", host);
        }
        String requestId = RequestFilter.requestIdOf(request);
        if (requestId != null) {
            proxyRequest.setHeader(RequestFilter.REQUEST_ID_HEADER, requestId);
        }
        if (request.getAttribute(RequestFilter.TRACE_ATTRIBUTE) instanceof io.renku.gateway.web.TraceContext trace) {
            proxyRequest.setHeader("traceparent", trace.traceparent());
        }
    }

    @Override
    protected void copyResponseHeaders(HttpResponse proxyResponse, HttpServletRequest request,
            HttpServletResponse response) {
        RequestHeaderPolicy connection = RequestHeaderPolicy.forConnectionHeaders(
                Arrays.stream(proxyResponse.getHeaders("Connection")).map(Header::getValue).toList());
        for (Header header : proxyResponse.getAllHeaders()) {
            String name = header.getName();
            if (RequestHeaderPolicy.isHopByHop(name) || connection.namedInConnection(name)
                    || name.equalsIgnoreCase(RequestFilter.REQUEST_ID_HEADER)
                    || (corsOwned && name.regionMatches(true, 0, "Access-Control-", 0, 15))) {
                continue;
            }
            copyResponseHeader(request, response, header);
        }
    }

    /** Set-Cookie passes verbatim (Smiley would rebuild it and lose SameSite and Domain) unless it is ours. */
    @Override
    protected void copyResponseHeader(HttpServletRequest request, HttpServletResponse response, Header header) {
        String name = header.getName();
        if (name.equalsIgnoreCase("Set-Cookie") || name.equalsIgnoreCase("Set-Cookie2")) {
            if (!sessionCookies.setsSessionCookie(header.getValue())) {
                response.addHeader(name, header.getValue());
            }
            return;
        }
        super.copyResponseHeader(request, response, header);
    }

    /** An absolute Location on the upstream becomes the same place seen through the gateway. */
    @Override
    protected String rewriteUrlFromResponse(HttpServletRequest request, String location) {
        Route route = (Route) request.getAttribute(ROUTE);
        String origin = target(route).origin();
        if (!location.toLowerCase(Locale.ROOT).startsWith(origin.toLowerCase(Locale.ROOT))
                || (location.length() > origin.length() && location.charAt(origin.length()) != '/')) {
            return location;
        }
        String upstreamPath = location.substring(origin.length());
        String gatewayPath = route.gatewayPath(upstreamPath);
        StringBuffer url = request.getRequestURL();
        int slash = url.indexOf("/", url.indexOf("://") + 3);
        if (slash >= 0) {
            url.setLength(slash);
        }
        return url + request.getContextPath() + gatewayPath;
    }

    @Override
    protected void handleRequestException(HttpRequest proxyRequest, HttpResponse proxyResponse, Exception e)
            throws IOException {
        if (proxyResponse instanceof Closeable closeable) {
            closeQuietly(closeable);
        }
        if (UpstreamFailures.isClientAbort(e)) {
            LOG.log(Level.DEBUG, "Client went away during a proxied exchange");
            throw e instanceof IOException io ? io : new IOException(e);
        }
        throw UpstreamFailures.classify(e);
    }

    private static Optional<UpstreamCredentials> credentialsOf(HttpServletRequest request) {
        return request.getAttribute(UpstreamCredentials.ATTRIBUTE) instanceof UpstreamCredentials c ? Optional.of(c)
                : Optional.empty();
    }

    /** {@code scheme://host[:port]} of an upstream; its base path is part of {@link Route#upstreamPath}. */
    static String origin(URI upstream) {
        return upstream.getScheme().toLowerCase(Locale.ROOT) + "://" + upstream.getRawAuthority();
    }
}

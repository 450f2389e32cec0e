package io.renku.gateway.websocket;

import io.renku.gateway.auth.Callers;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.AuthMethod;
import io.renku.gateway.model.Identity;
import io.renku.gateway.model.Secret;
import io.renku.gateway.proxy.IdentityAssertions;
import io.renku.gateway.proxy.SessionCookies;
import io.renku.gateway.proxy.UpstreamCredentials;
import io.renku.gateway.web.GatewayContext;
import io.renku.gateway.web.RequestFilter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.security.Principal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Admits a WebSocket upgrade on {@code /ui-server/ws}: the caller must be authenticated (a session or a validated
 * Bearer/Basic token: 401 otherwise), a session caller's browser must be on the gateway's own origin (a cookie rides
 * along on a cross-site handshake, which would let any site open a socket with the user's token), and the upstream
 * must accept the gateway's own handshake, which carries the caller's access token and, with
 * {@code revproxy.identityAssertion}, the gateway-signed {@code Renku-Auth-Identity} (then a session without any
 * access token, such as a SAML-only login, may connect too, as it may use HTTP routes); a failure there is a 502 or 504
 * problem while the browser still speaks HTTP. Only then does the request go on to the container's WebSocket filter,
 * wrapped so that its user principal is the open {@link UpstreamSocket}. Other requests pass untouched (a plain GET
 * of the path is proxied like any UI path).
 *
 * <p>Mapped to {@code /ui-server/ws} after the credential filter, whose result it reads; the container's WebSocket
 * filter is added programmatically and matches after every filter declared in web.xml.
 */
public final class WebSocketUpgradeFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;

    private transient WebSocketRelay relay;
    private transient SessionCookies cookies;
    private transient IdentityAssertions identityAssertions;
    private transient String audience;

    @Override
    public void init() throws ServletException {
        GatewayContext context = GatewayContext.from(getServletContext());
        if (!(getServletContext().getAttribute(WebSocketRelay.ATTRIBUTE) instanceof WebSocketRelay r)) {
            throw new ServletException("WebSocketProxyListener has not run: check the <listener> in web.xml");
        }
        relay = r;
        cookies = new SessionCookies(context.settings().routes().sessionCookieName());
        identityAssertions = getServletContext().getAttribute(IdentityAssertions.ATTRIBUTE)
                instanceof IdentityAssertions a ? a : null;
        audience = IdentityAssertions.audience(context.settings().revproxy().uiServerWebSocket());
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!isWebSocketUpgrade(request)) {
            // a Sec-WebSocket-Key under another Upgrade (h2c): Undertow's WebSocket endpoint upgrades it regardless
            if (HandshakeHeaders.mentionsWebSocket(Collections.list(request.getHeaders("Upgrade")))
                    || request.getHeader("Sec-WebSocket-Key") != null) {
                throw GatewayException.badRequest("A WebSocket handshake is a GET with Upgrade: websocket");
            }
            chain.doFilter(request, response);
            return;
        }
        Identity caller = Callers.requireAuthenticated(request);
        if (caller.method() == AuthMethod.SESSION && !sameHost(request.getHeader("Origin"), request.getHeader("Host"))) {
            throw new GatewayException(ErrorKind.FORBIDDEN, "A WebSocket with the session cookie must come from the"
                    + " gateway's own origin");
        }
        HandshakeHeaders.requireValid(Collections.list(request.getHeaders("Sec-WebSocket-Version")),
                Collections.list(request.getHeaders("Sec-WebSocket-Key")));
        Optional<Secret> token = credentials(request).flatMap(UpstreamCredentials::accessToken)
                .filter(t -> !t.isEmpty());
        Optional<String> identity = identityAssertions == null ? Optional.empty()
                : Optional.of(identityAssertions.assertion(IdentityAssertions.callerOf(request, caller), audience));
        if (token.isEmpty() && identity.isEmpty()) {
            throw new GatewayException(ErrorKind.UNAUTHORIZED, "The session holds no access token; log in again",
                    null, Map.of("WWW-Authenticate", "Bearer"));
        }
        String requestId = RequestFilter.requestIdOf(request);
        UpstreamSocket upstream = relay.connect(rawPathAndQuery(request),
                HandshakeHeaders.forUpstream(headers(request), cookies, forwarded(request, requestId), token, identity),
                HandshakeHeaders.offeredSubprotocols(Collections.list(request.getHeaders("Sec-WebSocket-Protocol"))),
                caller.subject(), requestId);
        boolean upgraded = false;
        try {
            chain.doFilter(new AdmittedRequest(request, upstream), response);
            upgraded = response.getStatus() == HttpServletResponse.SC_SWITCHING_PROTOCOLS;
        } finally {
            if (!upgraded) {
                upstream.abort(); // the container refused the browser's handshake: the upstream must not linger
            }
        }
    }

    /**
     * True when {@code Upgrade} names {@code websocket} among its tokens ({@code websocket, h2c} included): the
     * container's WebSocket filter accepts such a list, so this filter must judge it as a handshake too, or an
     * anonymous caller would be upgraded and only then refused.
     */
    static boolean isWebSocketUpgrade(HttpServletRequest request) {
        if (!"GET".equals(request.getMethod())) {
            return false;
        }
        for (java.util.Enumeration<String> values = request.getHeaders("Upgrade"); values != null
                && values.hasMoreElements(); ) {
            for (String token : values.nextElement().split(",")) {
                if (token.trim().equalsIgnoreCase("websocket")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * True when the browser's {@code Origin} names the host (and port) the browser sent the request to. The scheme is
     * not compared: behind a TLS-terminating ingress the gateway sees http while the page is https.
     */
    static boolean sameHost(String origin, String host) {
        if (origin == null || host == null) {
            return origin == null; // no Origin: not a browser, so no ambient cookie to abuse
        }
        try {
            URI uri = new URI(origin);
            if (uri.getHost() == null) {
                return false;
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            int port = uri.getPort();
            String h = host.toLowerCase(Locale.ROOT);
            String o = uri.getHost().toLowerCase(Locale.ROOT);
            if (port >= 0) {
                o += ":" + port;
            }
            return o.equals(h) || o.equals(withoutDefaultPort(h, scheme));
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    private static String withoutDefaultPort(String host, String scheme) {
        String defaultPort = scheme.equals("https") ? ":443" : ":80";
        return host.endsWith(defaultPort) ? host.substring(0, host.length() - defaultPort.length()) : host;
    }

    private static Optional<UpstreamCredentials> credentials(HttpServletRequest request) {
        return request.getAttribute(UpstreamCredentials.ATTRIBUTE) instanceof UpstreamCredentials c ? Optional.of(c)
                : Optional.empty();
    }

    private static String rawPathAndQuery(HttpServletRequest request) {
        String uri = request.getRequestURI().substring(request.getContextPath().length());
        String query = request.getQueryString();
        return query == null ? uri : uri + "?" + query;
    }

    private static Map<String, List<String>> headers(HttpServletRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            headers.put(name, Collections.list(request.getHeaders(name)));
        }
        return headers;
    }

    private static Map<String, String> forwarded(HttpServletRequest request, String requestId) {
        Map<String, String> forwarded = new LinkedHashMap<>();
        forwarded.put("X-Forwarded-For", request.getRemoteAddr());
        forwarded.put("X-Forwarded-Proto", request.getScheme());
        forwarded.put("X-Forwarded-Host", request.getHeader("Host"));
        forwarded.put(RequestFilter.REQUEST_ID_HEADER, requestId);
        return forwarded;
    }

    /** The request the container's WebSocket filter sees: its principal carries the open upstream connection. */
    private static final class AdmittedRequest extends HttpServletRequestWrapper {
        private final UpstreamSocket upstream;

        AdmittedRequest(HttpServletRequest request, UpstreamSocket upstream) {
            super(request);
            this.upstream = upstream;
        }

        @Override
        public Principal getUserPrincipal() {
            return upstream;
        }
    }
}

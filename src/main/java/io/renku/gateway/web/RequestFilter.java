package io.renku.gateway.web;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.metrics.GatewayMetrics;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import io.renku.gateway.auth.Callers;
import io.renku.gateway.model.Identity;
import java.util.regex.Pattern;

/**
 * First filter of the chain (it must sit before every other filter in {@code web.xml}, so that it sees their
 * failures): gives the request an id and its W3C trace context ({@link TraceContext}; both go on every log line of
 * the request through {@link LogContext}), writes one access-log line and the request's metrics, and turns any
 * exception that escapes the chain into a problem response, so a client never sees a stack trace. The access log
 * carries method, path, route, status and times but never the query string, which can hold authorization codes and
 * state, nor any header or cookie value.
 */
public final class RequestFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private static final Logger ACCESS = System.getLogger("io.renku.gateway.access");
    private static final Logger LOG = System.getLogger(RequestFilter.class.getName());
    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    public static final String REQUEST_ID_ATTRIBUTE = RequestFilter.class.getName() + ".requestId";
    /**
     * The route prefix that served the request, set by whoever routes it (the proxy); the metrics and the access log
     * use it instead of the path, which can carry ids.
     */
    public static final String ROUTE_ATTRIBUTE = RequestFilter.class.getName() + ".route";
    /** Nanoseconds the upstream took to answer, set by the proxy, for the access log. */
    public static final String UPSTREAM_NANOS_ATTRIBUTE = RequestFilter.class.getName() + ".upstreamNanos";
    /** The anonymous id the proxy sent upstream ({@code Renku-Auth-Anon-Id}), for the access log. */
    public static final String ANONYMOUS_ID_ATTRIBUTE = RequestFilter.class.getName() + ".anonymousId";
    public static final String TRACE_ATTRIBUTE = RequestFilter.class.getName() + ".trace";
    private static final String START_ATTRIBUTE = RequestFilter.class.getName() + ".start";
    /** A client's id is kept only when it cannot smuggle anything into a log or header. */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._-]{8,64}");

    private transient ProblemRenderer problems;
    private transient GatewayMetrics metrics;
    private transient Lifecycle lifecycle;

    @Override
    public void init() {
        problems = GatewayContext.from(getServletContext()).problems();
        metrics = GatewayMetrics.of(getServletContext());
        lifecycle = getServletContext().getAttribute(Lifecycle.ATTRIBUTE) instanceof Lifecycle l ? l : new Lifecycle();
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        // A request suspended while its body was read (RequestBodyBuffer) comes back as an ASYNC dispatch: it keeps
        // the id, trace and start time of its first pass, and is logged once, here, when it is answered.
        boolean resumed = request.getDispatcherType() == DispatcherType.ASYNC
                && request.getAttribute(START_ATTRIBUTE) instanceof Long;
        long start = resumed ? (Long) request.getAttribute(START_ATTRIBUTE) : System.nanoTime();
        String requestId = resumed ? requestIdOf(request) : requestId(request.getHeader(REQUEST_ID_HEADER));
        TraceContext trace = resumed ? (TraceContext) request.getAttribute(TRACE_ATTRIBUTE)
                : TraceContext.of(request.getHeader("traceparent"), ThreadLocalRandom.current());
        if (!resumed) {
            request.setAttribute(START_ATTRIBUTE, start);
            request.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
            request.setAttribute(TRACE_ATTRIBUTE, trace);
            response.setHeader(REQUEST_ID_HEADER, requestId);
        }
        LogContext.enter(requestId, trace.traceId());
        boolean counted = !"/health".equals(request.getServletPath()) && lifecycle.enter();
        try {
            if (!counted && !"/health".equals(request.getServletPath())) {
                throw GatewayException.unavailable("The gateway is shutting down; try again (another replica will "
                        + "answer)", 5, null);
            }
            chain.doFilter(request, response);
        } catch (GatewayException e) {
            fail(e, request, response, requestId);
        } catch (IOException | ServletException | RuntimeException e) {
            GatewayException gateway = findGatewayCause(e);
            if (gateway != null) {
                fail(gateway, request, response, requestId);
            } else {
                LOG.log(Level.ERROR, "Request " + requestId + " failed: " + e.getClass().getName(), e);
                problems.write(Problem.unexpected(request.getRequestURI(), requestId), request.getHeader("Accept"),
                        response);
            }
        } finally {
            if (counted) {
                lifecycle.leave();
            }
            if (!(request.getDispatcherType() == DispatcherType.REQUEST && request.isAsyncStarted())) {
                metrics.request(routeOf(request), request.getMethod(), response.getStatus(),
                        System.nanoTime() - start);
                if (ACCESS.isLoggable(Level.INFO)) {
                    ACCESS.log(Level.INFO, "access", (Object) accessFields(request, response, requestId, trace,
                            System.nanoTime() - start));
                }
            }
            LogContext.leave();
        }
    }

    /**
     * A failure after the status line went out (an upstream timing out or breaking off mid-body) cannot be answered
     * any more; returning normally would let the container end a chunked body cleanly, so the client would take the
     * truncated answer for a whole one. Rethrown, it makes the container cut the connection instead (Tomcat's error
     * valve closes it at once, Undertow likewise).
     */
    static void cutIfCommitted(GatewayException failure, HttpServletResponse response) throws IOException {
        if (response.isCommitted()) {
            throw new CutResponseException(failure);
        }
    }

    /**
     * After a 408 (the client's body came too slowly and was not read to its end) the problem is sent at once and
     * the connection closed: a normal return would let the container drain the rest of the body first, holding the
     * worker thread for as long as the slow client keeps sending.
     */
    static void closeIfBodyUnread(GatewayException failure, HttpServletResponse response) throws IOException {
        if (failure.kind() == ErrorKind.REQUEST_TIMEOUT) {
            response.flushBuffer();
            throw new CutResponseException(failure);
        }
    }

    private void fail(GatewayException failure, HttpServletRequest request, HttpServletResponse response,
            String requestId) throws IOException {
        cutIfCommitted(failure, response);
        problems.write(Problem.of(failure, request.getRequestURI(), requestId), request.getHeader("Accept"), response);
        closeIfBodyUnread(failure, response);
    }

    /** The connection must be closed now: the answer had started when the request failed, or the body is unread. */
    static final class CutResponseException extends IOException {
        private static final long serialVersionUID = 1L;

        CutResponseException(GatewayException failure) {
            super("connection closed after a " + failure.kind().status() + ": " + failure.getMessage(), failure);
        }
    }

    /**
     * The path as the access log writes it: each segment without its {@code ;parameters}. A client (or a servlet
     * container's URL rewriting) can put a session id there ({@code ;jsessionid=...}), and a log is no place for one;
     * the route and the segments still say what was asked for.
     */
    static String loggedPath(String uri) {
        if (uri == null || uri.indexOf(';') < 0) {
            return uri;
        }
        return uri.replaceAll(";[^/]*", "");
    }

    /**
     * The access-log line's fields. No query string (it can carry codes and state), no header value, no cookie: the
     * caller is named by kind and subject (or anonymous id) only.
     */
    private Map<String, Object> accessFields(HttpServletRequest request, HttpServletResponse response,
            String requestId, TraceContext trace, long nanos) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("requestId", requestId);
        fields.put("traceId", trace.traceId());
        fields.put("method", request.getMethod());
        fields.put("path", loggedPath(request.getRequestURI()));
        fields.put("route", routeOf(request));
        fields.put("status", response.getStatus());
        fields.put("durationMs", nanos / 1_000_000.0);
        if (request.getAttribute(UPSTREAM_NANOS_ATTRIBUTE) instanceof Long upstream) {
            fields.put("upstreamMs", upstream / 1_000_000.0);
        }
        String length = response.getHeader("Content-Length");
        if (length != null) {
            fields.put("bytes", Long.parseLong(length));
        }
        Identity caller = Callers.of(request);
        fields.put("caller", caller.method().name().toLowerCase(Locale.ROOT));
        fields.put("user", caller.isAnonymous() ? request.getAttribute(ANONYMOUS_ID_ATTRIBUTE) : caller.subject());
        fields.put("client", request.getRemoteAddr());
        return fields;
    }

    String requestId(String offered) {
        if (offered != null && SAFE_ID.matcher(offered).matches()) {
            return offered;
        }
        byte[] bytes = new byte[12];
        ThreadLocalRandom.current().nextBytes(bytes); // unique, not secret: a request id grants nothing
        return HexFormat.of().formatHex(bytes);
    }

    /** The low-cardinality name of what served the request: a route prefix, or the servlet's mapping. */
    static String routeOf(HttpServletRequest request) {
        if (request.getAttribute(ROUTE_ATTRIBUTE) instanceof String route) {
            return route;
        }
        String servletPath = request.getServletPath();
        return servletPath == null || servletPath.isEmpty() ? "unrouted" : servletPath;
    }

    static GatewayException findGatewayCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof GatewayException g) {
                return g;
            }
        }
        return null;
    }

    /** The id {@link RequestFilter} gave this request, or null outside the filter. */
    public static String requestIdOf(HttpServletRequest request) {
        return (String) request.getAttribute(REQUEST_ID_ATTRIBUTE);
    }
}

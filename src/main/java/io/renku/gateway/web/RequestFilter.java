package io.renku.gateway.web;

import io.renku.gateway.errors.GatewayException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * First filter of the chain (it must sit before every other filter in {@code web.xml}, so that it sees their
 * failures): gives the request an id, writes one access-log line, and turns any exception that escapes the chain into
 * a problem response, so a client never sees a stack trace. The access log carries method, path, status and time but
 * never the query string, which can hold authorization codes and state.
 */
public final class RequestFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private static final Logger ACCESS = System.getLogger("io.renku.gateway.access");
    private static final Logger LOG = System.getLogger(RequestFilter.class.getName());
    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    public static final String REQUEST_ID_ATTRIBUTE = RequestFilter.class.getName() + ".requestId";
    /** A client's id is kept only when it cannot smuggle anything into a log or header. */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._-]{8,64}");

    private final SecureRandom random = new SecureRandom();
    private transient ProblemRenderer problems;

    @Override
    public void init() {
        problems = GatewayContext.from(getServletContext()).problems();
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        long start = System.nanoTime();
        String requestId = requestId(request.getHeader(REQUEST_ID_HEADER));
        request.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
        response.setHeader(REQUEST_ID_HEADER, requestId);
        try {
            chain.doFilter(request, response);
        } catch (GatewayException e) {
            problems.write(Problem.of(e, request.getRequestURI(), requestId), request.getHeader("Accept"), response);
        } catch (IOException | ServletException | RuntimeException e) {
            GatewayException gateway = findGatewayCause(e);
            if (gateway != null) {
                problems.write(Problem.of(gateway, request.getRequestURI(), requestId), request.getHeader("Accept"),
                        response);
            } else {
                LOG.log(Level.ERROR, "Request " + requestId + " failed: " + e.getClass().getName(), e);
                problems.write(Problem.unexpected(request.getRequestURI(), requestId), request.getHeader("Accept"),
                        response);
            }
        } finally {
            ACCESS.log(Level.INFO, () -> String.format("%s %s %s %d %dms", requestId, request.getMethod(),
                    request.getRequestURI(), response.getStatus(), (System.nanoTime() - start) / 1_000_000));
        }
    }

    String requestId(String offered) {
        if (offered != null && SAFE_ID.matcher(offered).matches()) {
            return offered;
        }
        byte[] bytes = new byte[12];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
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

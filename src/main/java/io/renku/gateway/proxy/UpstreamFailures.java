package io.renku.gateway.proxy;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import java.io.InterruptedIOException;
import java.util.Map;
import org.apache.http.conn.ConnectionPoolTimeoutException;

/**
 * What a failed exchange with an upstream means for the client: no connection from the pool in time is 503 (the
 * gateway is saturated, retry), any other timeout 504, everything else (refused, reset, closed early, a malformed
 * answer) 502. The detail a client sees names
 * no upstream address; the servlet logs the route and the cause once.
 */
public final class UpstreamFailures {
    private UpstreamFailures() {
    }

    public static GatewayException classify(Exception e) {
        if (e instanceof GatewayException g) {
            return g;
        }
        if (e instanceof ConnectionPoolTimeoutException) {
            return new GatewayException(ErrorKind.SERVICE_UNAVAILABLE,
                    "No free connection to the upstream service; try again shortly", e,
                    Map.of("Retry-After", "1"));
        }
        if (e instanceof ExchangeDeadline.ExceededException exceeded) {
            return exceeded.whileUploading()
                    ? new GatewayException(ErrorKind.REQUEST_TIMEOUT,
                            "The request body arrived too slowly: the gateway allows an exchange "
                                    + "revproxy.maxResponseMillis in all", e)
                    : new GatewayException(ErrorKind.GATEWAY_TIMEOUT,
                            "The exchange took longer than the gateway allows (revproxy.maxResponseMillis)", e);
        }
        if (e instanceof InterruptedIOException) {
            return new GatewayException(ErrorKind.GATEWAY_TIMEOUT,
                    "The upstream service did not answer in time", e);
        }
        if (isMalformedClientBody(e)) {
            return new GatewayException(ErrorKind.BAD_REQUEST, "The request body is malformed (its chunked encoding or "
                    + "length does not hold)", e);
        }
        return new GatewayException(ErrorKind.BAD_GATEWAY, "The upstream service could not be reached or broke off", e);
    }

    /**
     * True when reading the client's body failed because the client framed it wrongly (Tomcat's
     * {@code BadRequestException}: a bad chunk size, a chunk longer than announced): the client's fault, a 400, not the
     * upstream's. Matched by name, as the container's type is not on the WAR's compile path.
     */
    static boolean isMalformedClientBody(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getClass().getSimpleName().equals("BadRequestException")) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when the failure is the client going away mid-response (Tomcat's {@code ClientAbortException}): not the
     * upstream's fault, and nothing can be sent any more.
     */
    public static boolean isClientAbort(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getClass().getSimpleName().equals("ClientAbortException")) {
                return true;
            }
        }
        return false;
    }
}

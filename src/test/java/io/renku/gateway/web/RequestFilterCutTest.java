package io.renku.gateway.web;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/**
 * A failure after the answer started must not end in a normal return (the container would close a chunked body
 * cleanly and the client would take a truncated answer for a whole one): it is rethrown for the container to cut
 * the connection. Before the answer started it is left to the problem renderer.
 */
class RequestFilterCutTest {
    private final java.util.List<String> calls = new java.util.ArrayList<>();

    private HttpServletResponse response(boolean committed) {
        return (HttpServletResponse) Proxy.newProxyInstance(RequestFilterCutTest.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> {
                    calls.add(method.getName());
                    if (method.getName().equals("isCommitted")) {
                        return committed;
                    }
                    if (method.getName().equals("flushBuffer")) {
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void a408IsSentAtOnceAndTheConnectionClosedSoTheUnreadBodyIsNotDrained() {
        GatewayException slow = new GatewayException(ErrorKind.REQUEST_TIMEOUT, "The request body arrived too slowly");
        IOException closed = assertThrows(IOException.class,
                () -> RequestFilter.closeIfBodyUnread(slow, response(true)));
        assertSame(slow, closed.getCause());
        assertTrue(calls.contains("flushBuffer"), "the 408 is flushed before the connection closes: " + calls);
    }

    @Test
    void otherProblemsLeaveTheConnectionAlone() {
        assertDoesNotThrow(() -> RequestFilter.closeIfBodyUnread(
                new GatewayException(ErrorKind.GATEWAY_TIMEOUT, "slow upstream"), response(true)));
        assertTrue(calls.isEmpty(), "nothing was done to the response: " + calls);
    }

    @Test
    void aFailureAfterTheAnswerStartedIsRethrownSoTheConnectionIsCut() {
        GatewayException timeout = new GatewayException(ErrorKind.GATEWAY_TIMEOUT, "The upstream timed out");
        IOException cut = assertThrows(IOException.class,
                () -> RequestFilter.cutIfCommitted(timeout, response(true)));
        assertSame(timeout, cut.getCause());
        assertTrue(cut.getMessage().contains("504"), cut.getMessage());
    }

    @Test
    void aFailureBeforeTheAnswerStartedIsLeftToTheRenderer() {
        assertDoesNotThrow(() -> RequestFilter.cutIfCommitted(
                new GatewayException(ErrorKind.BAD_GATEWAY, "broke off"), response(false)));
    }
}

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
    private static HttpServletResponse response(boolean committed) {
        return (HttpServletResponse) Proxy.newProxyInstance(RequestFilterCutTest.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> {
                    if (method.getName().equals("isCommitted")) {
                        return committed;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
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

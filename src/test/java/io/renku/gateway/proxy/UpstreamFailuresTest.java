package io.renku.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.renku.gateway.errors.ErrorKind;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.stream.Stream;
import org.apache.http.NoHttpResponseException;
import org.apache.http.conn.ConnectTimeoutException;
import org.apache.http.conn.ConnectionPoolTimeoutException;
import org.apache.http.conn.HttpHostConnectException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Upstream failures and the status a client sees; one row per failure. */
class UpstreamFailuresTest {
    /** Stands for Tomcat's {@code org.apache.coyote.BadRequestException}, which is matched by its name. */
    static final class BadRequestException extends java.io.IOException {
        private static final long serialVersionUID = 1L;

        BadRequestException(String message) {
            super(message);
        }
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of(new HttpHostConnectException(new ConnectException("refused"), null), ErrorKind.BAD_GATEWAY),
                Arguments.of(new SocketException("Connection reset"), ErrorKind.BAD_GATEWAY),
                Arguments.of(new NoHttpResponseException("closed"), ErrorKind.BAD_GATEWAY),
                Arguments.of(new SocketTimeoutException("Read timed out"), ErrorKind.GATEWAY_TIMEOUT),
                Arguments.of(new ConnectTimeoutException("connect timed out"), ErrorKind.GATEWAY_TIMEOUT),
                Arguments.of(new ConnectionPoolTimeoutException("pool"), ErrorKind.SERVICE_UNAVAILABLE),
                // the client's own body broke while it was streamed upstream (Tomcat's exception, wrapped by HttpClient)
                Arguments.of(new java.io.IOException("write failed", new BadRequestException("Invalid chunk header")),
                        ErrorKind.BAD_REQUEST));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("rows")
    void failuresMapToGatewayStatuses(Exception failure, ErrorKind expected) {
        assertEquals(expected, UpstreamFailures.classify(failure).kind());
    }
}

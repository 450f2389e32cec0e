package io.renku.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RequestFramingTest {
    @ParameterizedTest(name = "Content-Length: {0}")
    @ValueSource(strings = {"99999999999999999999999", "-1", "+4", "0x4", "4 4", "abc", "", " ", "4,5", "1e3", "٤"})
    void aContentLengthThatIsNotOneNumberIs400NotAnOverflow(String value) {
        GatewayException e = assertThrows(GatewayException.class, () -> RequestFraming.checkContentLength(List.of(value)));
        assertEquals(ErrorKind.BAD_REQUEST, e.kind());
    }

    @Test
    void twoDifferentContentLengthsAre400AndEqualOnesPass() {
        assertThrows(GatewayException.class, () -> RequestFraming.checkContentLength(List.of("3", "4")));
        assertDoesNotThrow(() -> RequestFraming.checkContentLength(List.of("4", "4")));
        assertDoesNotThrow(() -> RequestFraming.checkContentLength(List.of("4, 4")));
        assertDoesNotThrow(() -> RequestFraming.checkContentLength(List.of("0")));
        assertDoesNotThrow(() -> RequestFraming.checkContentLength(List.of()));
        assertDoesNotThrow(() -> RequestFraming.checkContentLength(List.of("999999999999999999")));
    }

    @ParameterizedTest(name = "Transfer-Encoding: {0}")
    @ValueSource(strings = {"chunked, identity", "chunked, chunked", "chunked\u000B", "\u000Bchunked", "chunked,", "",
            "chunk ed", "chunked\u0000"})
    void aChunkedThatIsNotOnceAndLastOrNotATokenIs400(String value) {
        GatewayException e = assertThrows(GatewayException.class,
                () -> RequestFraming.checkTransferEncoding(List.of(value)));
        assertEquals(ErrorKind.BAD_REQUEST, e.kind());
    }

    @ParameterizedTest(name = "Transfer-Encoding: {0}")
    @ValueSource(strings = {"xchunked", "gzip, chunked", "identity", "gzip"})
    void anUnknownTransferCodingIs501(String value) {
        GatewayException e = assertThrows(GatewayException.class,
                () -> RequestFraming.checkTransferEncoding(List.of(value)));
        assertEquals(ErrorKind.NOT_IMPLEMENTED, e.kind());
    }

    @Test
    void chunkedOnceAndLastPasses() {
        assertDoesNotThrow(() -> RequestFraming.checkTransferEncoding(List.of()));
        assertDoesNotThrow(() -> RequestFraming.checkTransferEncoding(List.of("chunked")));
        assertDoesNotThrow(() -> RequestFraming.checkTransferEncoding(List.of("  Chunked \t")));
        assertThrows(GatewayException.class, () -> RequestFraming.checkTransferEncoding(List.of("chunked", "chunked")));
    }
}

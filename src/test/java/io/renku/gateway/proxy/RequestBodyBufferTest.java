package io.renku.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.ReadListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Which bodies are read ahead, and the heap they may take together. */
class RequestBodyBufferTest {
    @ParameterizedTest(name = "Content-Length [{0}], Transfer-Encoding [{1}] -> {2}")
    @CsvSource(nullValues = "NULL", value = {
        "100,       NULL,    100",
        "1048576,   NULL,    1048576",
        "1048577,   NULL,    -1",     // larger than maxBytes: streamed
        "0,         NULL,    -1",     // no body to read
        "100,       chunked, -1",     // a chunked body streams (and CL+TE is the proxy's 400)
        "' 100 ',   NULL,    100",
        "+100,      NULL,    -1",     // not plain decimal: left to the proxy's framing check
        "1e3,       NULL,    -1",
        "٤٤,        NULL,    -1",     // Arabic-Indic digits are not ASCII digits
        "99999999999, NULL,  -1",     // 11 digits
        "'',        NULL,    -1",
    })
    void bufferedAreSmallBodiesWithOnePlainContentLength(String length, String transferEncoding, long expected) {
        assertEquals(expected, RequestBodyBuffer.bufferableLength(List.of(length), transferEncoding, 1 << 20));
    }

    @Test
    void noneOrTwoContentLengthsOrTheBufferOffAreNotBuffered() {
        assertEquals(-1, RequestBodyBuffer.bufferableLength(List.of(), null, 1 << 20));
        assertEquals(-1, RequestBodyBuffer.bufferableLength(List.of("10", "10"), null, 1 << 20));
        assertEquals(-1, RequestBodyBuffer.bufferableLength(List.of("10"), null, 0));
    }

    @Test
    void theBudgetRefusesWhatWouldPassItsMaximumAndTakesBackWhatIsGiven() {
        RequestBodyBuffer.Budget budget = new RequestBodyBuffer.Budget(100);
        assertTrue(budget.take(60));
        assertFalse(budget.take(41));
        assertEquals(60, budget.used());
        assertTrue(budget.take(40));
        budget.give(60);
        assertEquals(40, budget.used());
    }

    @Test
    void theMemoryStreamServesTheBodyAndTellsAListenerAtOnce() throws IOException {
        byte[] body = "name=value&x=1".getBytes(StandardCharsets.US_ASCII);
        RequestBodyBuffer.MemoryInputStream in = new RequestBodyBuffer.MemoryInputStream(body);
        assertTrue(in.isReady());
        assertFalse(in.isFinished());
        assertArrayEquals(body, in.readAllBytes());
        assertTrue(in.isFinished());
        StringBuilder events = new StringBuilder();
        new RequestBodyBuffer.MemoryInputStream(body).setReadListener(new ReadListener() {
            @Override
            public void onDataAvailable() {
                events.append("data ");
            }

            @Override
            public void onAllDataRead() {
                events.append("done");
            }

            @Override
            public void onError(Throwable t) {
                events.append("error");
            }
        });
        assertEquals("data done", events.toString());
    }

    @Test
    void aBodyIsAChunkedOneOrOneWithALengthOtherThanZero() {
        assertTrue(RequestBodyBuffer.hasBody(List.of(), "chunked"));
        assertTrue(RequestBodyBuffer.hasBody(List.of("5000000"), null));
        assertTrue(RequestBodyBuffer.hasBody(List.of("junk"), null)); // the proxy's framing check refuses it later
        assertFalse(RequestBodyBuffer.hasBody(List.of("0"), null));
        assertFalse(RequestBodyBuffer.hasBody(List.of(), null));
    }

    @Test
    void streamingTurnsAreBoundedAndHandedOverInArrivalOrder() {
        RequestBodyBuffer.Streams streams = new RequestBodyBuffer.Streams(2);
        List<String> dispatched = new java.util.ArrayList<>();
        assertTrue(streams.enterOrWait(new RequestBodyBuffer.Turn(), () -> async("never", dispatched)));
        assertTrue(streams.enterOrWait(new RequestBodyBuffer.Turn(), () -> async("never", dispatched)));
        RequestBodyBuffer.Turn third = new RequestBodyBuffer.Turn();
        RequestBodyBuffer.Turn fourth = new RequestBodyBuffer.Turn();
        RequestBodyBuffer.Turn fifth = new RequestBodyBuffer.Turn();
        assertFalse(streams.enterOrWait(third, () -> async("third", dispatched)));
        assertFalse(streams.enterOrWait(fourth, () -> async("fourth", dispatched)));
        assertFalse(streams.enterOrWait(fifth, () -> async("fifth", dispatched)));
        assertEquals(2, streams.active());
        assertEquals(3, streams.waiting());
        // the fourth gives up (its wait timed out): it is not handed a turn
        assertTrue(fourth.give(false));
        assertTrue(streams.withdraw(fourth));
        streams.leave();
        assertEquals(List.of("third"), dispatched);
        assertTrue(third.granted());
        streams.leave();
        assertEquals(List.of("third", "fifth"), dispatched);
        assertFalse(fourth.granted());
        streams.leave();
        streams.leave();
        assertEquals(0, streams.active());
        assertTrue(streams.enterOrWait(new RequestBodyBuffer.Turn(), () -> async("never", dispatched)));
    }

    @Test
    void aTurnIsDecidedOnce() {
        RequestBodyBuffer.Turn turn = new RequestBodyBuffer.Turn();
        assertTrue(turn.give(true));
        assertFalse(turn.give(false)); // a timeout after the turn was given changes nothing
        assertTrue(turn.granted());
        assertTrue(new RequestBodyBuffer.Streams(0).unbounded());
    }

    /** An AsyncContext that records its dispatch; nothing else is called on it. */
    private static jakarta.servlet.AsyncContext async(String name, List<String> dispatched) {
        return (jakarta.servlet.AsyncContext) java.lang.reflect.Proxy.newProxyInstance(
                RequestBodyBufferTest.class.getClassLoader(), new Class<?>[] {jakarta.servlet.AsyncContext.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("dispatch")) {
                        dispatched.add(name);
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}

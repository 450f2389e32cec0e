package io.renku.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.errors.ErrorKind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.http.HttpEntity;
import org.apache.http.entity.InputStreamEntity;
import org.junit.jupiter.api.Test;

/** The whole-exchange bound: reads pass until the deadline, then every read fails with a timeout. */
class ExchangeDeadlineTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    /** A body that gives one byte per read, moving the clock 100 ms each time: a trickle. */
    private InputStream trickle() {
        return new InputStream() {
            @Override
            public int read() {
                now.addAndGet(100_000_000L);
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                b[off] = (byte) read();
                return 1;
            }
        };
    }

    @Test
    void aTrickleIsCutOnceTheDeadlineHasPassed() throws IOException {
        ExchangeDeadline deadline = ExchangeDeadline.in(1000, now::get);
        InputStream in = deadline.guard(trickle());
        byte[] buffer = new byte[16];
        int reads = 0;
        IOException cut = null;
        while (cut == null && reads < 100) {
            try {
                in.read(buffer, 0, buffer.length);
                reads++;
            } catch (ExchangeDeadline.ExceededException e) {
                cut = e;
            }
        }
        assertEquals(10, reads, "ten 100 ms reads fit in one second");
        assertTrue(cut.getMessage().contains("revproxy.maxResponseMillis"), cut.getMessage());
        assertThrows(ExchangeDeadline.ExceededException.class, in::read, "it stays cut");
    }

    @Test
    void aBodyWithinTheDeadlinePassesWhole() throws IOException {
        byte[] body = "hello, whole body".getBytes();
        ExchangeDeadline deadline = ExchangeDeadline.in(1000, now::get);
        HttpEntity entity = deadline.guard(new InputStreamEntity(new ByteArrayInputStream(body), body.length));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        entity.writeTo(out);
        assertArrayEquals(body, out.toByteArray());
        assertEquals(body.length, entity.getContentLength());
    }

    @Test
    void anUpstreamBodyCopiedThroughWriteToIsCutToo() {
        ExchangeDeadline deadline = ExchangeDeadline.in(500, now::get);
        HttpEntity entity = deadline.guard(new InputStreamEntity(trickle(), -1));
        assertThrows(ExchangeDeadline.ExceededException.class, () -> entity.writeTo(new ByteArrayOutputStream()));
    }

    @Test
    void zeroMeansNoBound() throws IOException {
        ExchangeDeadline deadline = ExchangeDeadline.in(0, now::get);
        InputStream raw = trickle();
        assertSame(raw, deadline.guard(raw));
        now.addAndGet(86_400_000_000_000L);
        deadline.check(false);
    }

    @Test
    void aSlowUpstreamAnswerIsA504AndASlowUploadA408() {
        ExchangeDeadline deadline = ExchangeDeadline.in(1, now::get);
        now.addAndGet(2_000_000L);
        ExchangeDeadline.ExceededException answer = assertThrows(ExchangeDeadline.ExceededException.class,
                () -> deadline.guard(trickle()).read());
        assertEquals(ErrorKind.GATEWAY_TIMEOUT, UpstreamFailures.classify(answer).kind());
        assertTrue(UpstreamFailures.classify(answer).getMessage().contains("revproxy.maxResponseMillis"));
        ExchangeDeadline.ExceededException upload = assertThrows(ExchangeDeadline.ExceededException.class,
                () -> deadline.guardUpload(trickle()).read());
        assertEquals(ErrorKind.REQUEST_TIMEOUT, UpstreamFailures.classify(upload).kind());
        assertEquals(408, UpstreamFailures.classify(upload).kind().status());
    }
}

package io.renku.gateway.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** Lines are formatted on the writer's thread but say what the publishing thread knew. */
class AsyncLogHandlerTest {
    @Test
    void aLineCarriesThePublishersRequestIdsAndThreadNameAndNoneIsLostOnClose() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler target = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(getFormatter().format(record));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        AsyncLogHandler handler = new AsyncLogHandler(target, new JsonLogFormatter());
        Thread publisher = new Thread(() -> {
            LogContext.enter("req-0123456789", "0af7651916cd43dd8448eb211c80319c");
            try {
                for (int i = 0; i < 1000; i++) {
                    LogRecord record = new LogRecord(Level.INFO, "line {0}");
                    record.setLoggerName("test");
                    record.setParameters(new Object[] {i});
                    handler.publish(record);
                }
            } finally {
                LogContext.leave();
            }
        }, "request-thread-7");
        publisher.start();
        publisher.join();
        handler.close();
        assertEquals(1000, lines.size());
        for (int i = 0; i < 1000; i++) {
            String line = lines.get(i);
            assertTrue(line.contains("\"message\":\"line " + i + "\""), line);
            assertTrue(line.contains("\"requestId\":\"req-0123456789\""), line);
            assertTrue(line.contains("\"traceId\":\"0af7651916cd43dd8448eb211c80319c\""), line);
            assertTrue(line.contains("\"thread\":\"request-thread-7\""), line);
        }
    }
}

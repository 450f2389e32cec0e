package io.renku.gateway.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** One JSON object a line, ids from the log context, access fields at the top level, hostile text escaped. */
class JsonLogFormatterTest {
    private final JsonLogFormatter formatter = new JsonLogFormatter();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aMessageWithQuotesAndNewlinesStaysOneJsonLineWithTheRequestsIds() throws Exception {
        LogRecord record = new LogRecord(Level.WARNING, "upstream said \"no\"\nsecond line");
        record.setLoggerName("io.renku.gateway.proxy.GatewayProxyServlet");
        LogContext.enter("req-12345678", "4bf92f3577b34da6a3ce929d0e0e4736");
        String line;
        try {
            line = formatter.format(record);
        } finally {
            LogContext.leave();
        }
        assertEquals(1, line.strip().lines().count(), line);
        JsonNode node = json.readTree(line);
        assertEquals("WARNING", node.path("level").asText());
        assertEquals("upstream said \"no\"\nsecond line", node.path("message").asText());
        assertEquals("req-12345678", node.path("requestId").asText());
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", node.path("traceId").asText());
    }

    @Test
    void accessFieldsBecomeTopLevelFieldsWithTheirTypes() throws Exception {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("requestId", "r-abcdefgh");
        fields.put("status", 502);
        fields.put("durationMs", 1.5);
        fields.put("user", null);
        LogRecord record = new LogRecord(Level.INFO, "access");
        record.setLoggerName("io.renku.gateway.access");
        record.setParameters(new Object[] {fields});
        JsonNode node = json.readTree(formatter.format(record));
        assertEquals(502, node.path("status").asInt());
        assertEquals(1.5, node.path("durationMs").asDouble());
        assertTrue(node.path("user").isNull());
        assertEquals("r-abcdefgh", node.path("requestId").asText());
        assertFalse(node.has("traceId"), "outside a request there is no trace id");
    }
}

package io.renku.gateway.web;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One JSON object per line for {@code java.util.logging}, the logging every container gives a WAR (the gateway's code
 * logs through {@code System.Logger}, which the JDK routes to it): {@code time}, {@code level}, {@code logger},
 * {@code message}, {@code requestId} and {@code traceId} (from {@link LogContext}), {@code thread}, and
 * {@code exception} (class, message and stack) when there is one. Jackson writes the JSON, so every value is escaped
 * correctly. An access-log record carries its fields as one {@code Map} parameter; they become top-level fields.
 *
 * <p>Why JUL and not Logback: {@code System.Logger} cannot be redirected from inside a WAR (the JDK looks for its
 * {@code LoggerFinder} on the system class path only), and a WAR-local Logback fights WildFly's logging subsystem.
 * The container's own logging with this formatter works the same on Tomcat and WildFly.
 */
public final class JsonLogFormatter extends Formatter {
    private final JsonFactory json = new JsonFactory();

    @Override
    public String format(LogRecord record) {
        return format(record, LogContext.requestId(), LogContext.traceId(), Thread.currentThread().getName());
    }

    /**
     * The line for a record published on another thread: the request's ids and the thread's name as they were there
     * ({@link AsyncLogHandler} formats on its own thread).
     */
    String format(LogRecord record, String requestId, String traceId, String thread) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.ofEpochMilli(record.getMillis()).toString());
            g.writeStringField("level", record.getLevel().getName());
            g.writeStringField("logger", record.getLoggerName());
            Object[] parameters = record.getParameters();
            if (parameters != null && parameters.length == 1 && parameters[0] instanceof Map<?, ?> fields) {
                g.writeStringField("message", record.getMessage());
                for (Map.Entry<?, ?> field : fields.entrySet()) {
                    writeField(g, String.valueOf(field.getKey()), field.getValue());
                }
            } else {
                g.writeStringField("message", formatMessage(record));
            }
            if (requestId != null && (fieldsLack(parameters, "requestId"))) {
                g.writeStringField("requestId", requestId);
            }
            if (traceId != null && fieldsLack(parameters, "traceId")) {
                g.writeStringField("traceId", traceId);
            }
            g.writeStringField("thread", thread);
            if (record.getThrown() != null) {
                StringWriter stack = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(stack));
                g.writeStringField("exception", stack.toString());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.append(System.lineSeparator()).toString();
    }

    private static boolean fieldsLack(Object[] parameters, String name) {
        return parameters == null || parameters.length != 1 || !(parameters[0] instanceof Map<?, ?> m)
                || !m.containsKey(name);
    }

    private static void writeField(JsonGenerator g, String name, Object value) throws IOException {
        if (value == null) {
            g.writeNullField(name);
        } else if (value instanceof Number n) {
            g.writeFieldName(name);
            if (n instanceof Double || n instanceof Float) {
                g.writeNumber(n.doubleValue());
            } else {
                g.writeNumber(n.longValue());
            }
        } else if (value instanceof Boolean b) {
            g.writeBooleanField(name, b);
        } else {
            g.writeStringField(name, value.toString());
        }
    }
}

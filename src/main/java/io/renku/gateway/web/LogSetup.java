package io.renku.gateway.web;

import io.renku.gateway.config.OpsSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.logging.FileHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Applies {@code logging.*} to the gateway's loggers ({@code io.renku.gateway} and below) for the life of the
 * deployment: their level, and unless the destination is {@code container}, one handler of ours (standard output, or
 * a rotating file through the JDK's {@link FileHandler}) with the JSON or text format, in place of the container's
 * handlers, written off the request threads by {@link AsyncLogHandler}. Undone on undeploy, so a redeploy starts clean.
 */
final class LogSetup implements AutoCloseable {
    static final String ROOT = "io.renku.gateway";
    static final String ACCESS = "io.renku.gateway.access";
    /** A log file rotates at 50 MiB and keeps 5 generations. */
    private static final int FILE_LIMIT = 50 * 1024 * 1024;
    private static final int FILE_COUNT = 5;

    // held strongly: JUL keeps loggers weakly, and a collected logger would lose its level and handler
    private final Logger root;
    private final Logger access;
    private final Handler handler;

    private LogSetup(Logger root, Logger access, Handler handler) {
        this.root = root;
        this.access = access;
        this.handler = handler;
    }

    static LogSetup apply(OpsSettings ops) {
        Logger root = Logger.getLogger(ROOT);
        root.setLevel(Level.parse(ops.logLevel()));
        Logger access = Logger.getLogger(ACCESS);
        access.setLevel(ops.accessLog() ? null : Level.OFF);
        if (ops.logDestination().equals("container")) {
            return new LogSetup(root, access, null);
        }
        Formatter formatter = ops.logFormat().equals("json") ? new JsonLogFormatter() : new TextFormatter();
        Handler target;
        if (ops.logDestination().equals("stdout")) {
            target = new StreamHandler(System.out, formatter); // AsyncLogHandler flushes it
        } else {
            try {
                target = new FileHandler(ops.logDestination(), FILE_LIMIT, FILE_COUNT, true);
            } catch (IOException e) {
                throw new UncheckedIOException("logging.destination: cannot write the log file "
                        + ops.logDestination(), e);
            }
        }
        Handler handler = new AsyncLogHandler(target, formatter);
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        root.setUseParentHandlers(false);
        return new LogSetup(root, access, handler);
    }

    @Override
    public void close() {
        if (handler != null) {
            root.removeHandler(handler);
            root.setUseParentHandlers(true);
            handler.close();
        }
        access.setLevel(null);
    }

    /** {@code logging.format=text}: one line, the ids in brackets. */
    static final class TextFormatter extends Formatter {
        @Override
        public String format(LogRecord record) {
            StringBuilder line = new StringBuilder(160).append(Instant.ofEpochMilli(record.getMillis())).append(' ')
                    .append(record.getLevel().getName()).append(' ').append(record.getLoggerName());
            String requestId = LogContext.requestId();
            if (requestId != null) {
                line.append(" [").append(requestId).append(' ').append(LogContext.traceId()).append(']');
            }
            Object[] parameters = record.getParameters();
            line.append(' ').append(parameters != null && parameters.length == 1
                    && parameters[0] instanceof java.util.Map<?, ?> fields ? fields.toString() : formatMessage(record));
            if (record.getThrown() != null) {
                java.io.StringWriter stack = new java.io.StringWriter();
                record.getThrown().printStackTrace(new java.io.PrintWriter(stack));
                line.append(System.lineSeparator()).append(stack);
            }
            return line.append(System.lineSeparator()).toString();
        }
    }
}

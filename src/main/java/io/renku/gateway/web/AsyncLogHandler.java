package io.renku.gateway.web;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.ErrorManager;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Writes log lines on a thread of its own, so a request thread neither formats nor waits for a disk or a pipe: the
 * caller's thread only takes what the line needs from it (the request's ids from {@link LogContext}, the thread's
 * name) and queues the record; a daemon thread formats it ({@link JsonLogFormatter}) and hands the line to the real
 * handler ({@link java.util.logging.FileHandler}, whose rotation we keep, or standard output), which writes it;
 * standard output is flushed once the queue is empty, so a burst of lines costs one write, not one per line. A
 * formatter of another kind formats on the caller's thread. The JDK has no asynchronous handler, so this small one is
 * ours.
 *
 * <p>A record's parameters are formatted after the call returned, so they must not change afterwards: the gateway's
 * access fields are a map made for the one line, its other parameters strings and numbers.
 *
 * <p>Nothing is dropped: when the queue is full (the disk cannot keep up), the caller formats and writes its line
 * itself, which slows requests down as a synchronous handler would instead of losing lines. {@link #close()} writes
 * what is queued before closing the real handler.
 */
final class AsyncLogHandler extends Handler {
    private static final int CAPACITY = 16_384;
    private static final Pending STOP = new Pending(null, null, null, null);

    private final Handler target;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final Thread writer;

    /** {@code target} gets preformatted lines; {@code formatter} is the format they are made in. */
    AsyncLogHandler(Handler target, Formatter formatter) {
        this.target = target;
        setFormatter(formatter);
        target.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord record) {
                return record.getMessage();
            }
        });
        target.setLevel(Level.ALL);
        writer = new Thread(this::drain, "gateway-log-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** A record and what its line needs from the thread that published it. */
    private record Pending(LogRecord record, String requestId, String traceId, String thread) {
    }

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        if (!(getFormatter() instanceof JsonLogFormatter)) {
            writeAndFlush(new Pending(record, null, null, null));
            return;
        }
        Pending pending = new Pending(record, LogContext.requestId(), LogContext.traceId(),
                Thread.currentThread().getName());
        if (!queue.offer(pending)) {
            writeAndFlush(pending);
        }
    }

    private String format(Pending pending) {
        try {
            return getFormatter() instanceof JsonLogFormatter json
                    ? json.format(pending.record(), pending.requestId(), pending.traceId(), pending.thread())
                    : getFormatter().format(pending.record());
        } catch (RuntimeException e) {
            reportError("cannot format a log record", e, ErrorManager.FORMAT_FAILURE);
            return null;
        }
    }

    private void writeNow(Pending pending) {
        String line = format(pending);
        if (line != null) {
            write(line);
        }
    }

    /** On the caller's thread (a full queue, or a formatter of another kind): written and flushed at once. */
    private void writeAndFlush(Pending pending) {
        writeNow(pending);
        target.flush();
    }

    private void drain() {
        try {
            while (true) {
                Pending pending = queue.take();
                if (pending == STOP) {
                    target.flush();
                    return;
                }
                writeNow(pending);
                if (queue.isEmpty()) {
                    target.flush(); // one write for a burst of lines, none left waiting once the burst is over
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void write(String line) {
        target.publish(new LogRecord(Level.INFO, line));
    }

    @Override
    public void flush() {
        target.flush();
    }

    @Override
    public void close() {
        try {
            queue.put(STOP);
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Pending pending = queue.poll(); pending != null; pending = queue.poll()) {
            if (pending != STOP) {
                writeNow(pending);
            }
        }
        target.flush();
        target.close();
    }
}

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
 * Writes log lines on a thread of its own, so a request thread never waits for a disk or a pipe: the line is
 * formatted on the caller's thread (the formatter reads the request's ids from {@link LogContext} and names the
 * caller's thread), queued, and a daemon thread hands it to the real handler ({@link java.util.logging.FileHandler},
 * whose rotation we keep, or standard output), which writes and flushes it. The JDK has no asynchronous handler, so
 * this small one is ours.
 *
 * <p>Nothing is dropped: when the queue is full (the disk cannot keep up), the caller writes its line itself, which
 * slows requests down as a synchronous handler would instead of losing lines. {@link #close()} writes what is queued
 * before closing the real handler.
 */
final class AsyncLogHandler extends Handler {
    private static final int CAPACITY = 16_384;
    private static final String STOP = new String("stop");

    private final Handler target;
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(CAPACITY);
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

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        String line;
        try {
            line = getFormatter().format(record);
        } catch (RuntimeException e) {
            reportError("cannot format a log record", e, ErrorManager.FORMAT_FAILURE);
            return;
        }
        if (!queue.offer(line)) {
            write(line);
        }
    }

    private void drain() {
        try {
            while (true) {
                String line = queue.take();
                if (line == STOP) {
                    return;
                }
                write(line);
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
        for (String line = queue.poll(); line != null; line = queue.poll()) {
            if (line != STOP) {
                write(line);
            }
        }
        target.close();
    }
}

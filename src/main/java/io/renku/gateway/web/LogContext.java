package io.renku.gateway.web;

/**
 * The request id and trace id of the request the current thread works on, for the log formatter: it puts them on
 * every line the request causes, also lines written by code that never sees the request. Set by {@link RequestFilter}
 * when a request enters and cleared in its {@code finally}, so a pooled thread never carries a previous request's ids.
 * This is the one piece of per-thread state in the gateway; it holds ids only, never a credential.
 */
public final class LogContext {
    private static final ThreadLocal<String[]> CURRENT = new ThreadLocal<>();

    private LogContext() {
    }

    static void enter(String requestId, String traceId) {
        CURRENT.set(new String[] {requestId, traceId});
    }

    static void leave() {
        CURRENT.remove();
    }

    /** The current request id, or null outside a request. */
    public static String requestId() {
        String[] ids = CURRENT.get();
        return ids == null ? null : ids[0];
    }

    /** The current trace id, or null outside a request. */
    public static String traceId() {
        String[] ids = CURRENT.get();
        return ids == null ? null : ids[1];
    }
}

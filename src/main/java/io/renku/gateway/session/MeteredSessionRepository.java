package io.renku.gateway.session;

import io.renku.gateway.metrics.GatewayMetrics;
import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;

/**
 * Times every call to the shared session store and counts lookups by result, for {@code /metrics}: on Redis each call
 * is one command or script, so this is the Redis latency and error rate the gateway sees. A decorator, so the
 * repositories stay free of metrics; the Redis repository only tells a {@link StoreCalls} which of its calls reached
 * Redis, since a near-cache hit must not count as one.
 */
public final class MeteredSessionRepository<S extends Session> implements SessionRepository<S> {
    private final SessionRepository<S> delegate;
    private final GatewayMetrics metrics;
    private final StoreCalls calls;

    /** Times every call to {@code delegate} as a {@code store} call. */
    public MeteredSessionRepository(SessionRepository<S> delegate, GatewayMetrics metrics, String store) {
        this(delegate, metrics, store, (operation, ok, nanos) -> metrics.sessionStore(store, operation, ok, nanos));
    }

    /**
     * As above, with the calls reported to {@code calls}: {@link StoreCalls#NONE} when the delegate reports its own
     * (Redis behind a near cache, whose hits are no store call and are counted by the cache's own meters).
     */
    public MeteredSessionRepository(SessionRepository<S> delegate, GatewayMetrics metrics, String store,
            StoreCalls calls) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(store, "store");
        this.calls = Objects.requireNonNull(calls, "calls");
    }

    @Override
    public S createSession() {
        return delegate.createSession(); // in memory until saved: no store call
    }

    @Override
    public void save(S session) {
        timed("save", () -> {
            delegate.save(session);
            return null;
        });
    }

    @Override
    public S findById(String id) {
        S found = timed("read", () -> delegate.findById(id));
        metrics.sessionLookup(found == null ? "absent" : "store");
        return found;
    }

    @Override
    public void deleteById(String id) {
        timed("delete", () -> {
            delegate.deleteById(id);
            return null;
        });
    }

    private <T> T timed(String operation, Supplier<T> call) {
        return calls == StoreCalls.NONE ? call.get() : calls.time(operation, call);
    }
}

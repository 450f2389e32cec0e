package io.renku.gateway.session;

import java.util.function.Supplier;

/**
 * Told of calls to a session store: the operation ({@code read}, {@code save}, {@code delete}), whether it succeeded,
 * and how long it took, for the store's latency metric.
 */
@FunctionalInterface
public interface StoreCalls {
    /** Reports nothing; {@link MeteredSessionRepository} does not even time a call for it. */
    StoreCalls NONE = (operation, ok, nanos) -> { };

    void called(String operation, boolean ok, long nanos);

    /** Runs {@code call} and reports it as {@code operation}, with its outcome and duration. */
    default <T> T time(String operation, Supplier<T> call) {
        long start = System.nanoTime();
        boolean ok = false;
        try {
            T result = call.get();
            ok = true;
            return result;
        } finally {
            called(operation, ok, System.nanoTime() - start);
        }
    }
}

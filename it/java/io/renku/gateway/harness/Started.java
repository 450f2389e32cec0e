package io.renku.gateway.harness;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What a demo or benchmark has started, stopped in reverse order by {@link #close()}: each is stopped even when an
 * earlier one fails, and a failure is reported, not thrown, so nothing is left running.
 */
public final class Started implements AutoCloseable {
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final Consumer<String> say;

    public Started(Consumer<String> say) {
        this.say = Objects.requireNonNull(say, "say");
    }

    /** Remembers {@code resource} for {@link #close()} and returns it. */
    public synchronized <T extends AutoCloseable> T add(T resource) {
        started.push(resource);
        return resource;
    }

    @Override
    public synchronized void close() {
        while (!started.isEmpty()) {
            AutoCloseable next = started.pop();
            try {
                next.close();
            } catch (Exception e) {
                say.accept("could not stop " + next + ": " + e.getMessage());
            }
        }
    }
}

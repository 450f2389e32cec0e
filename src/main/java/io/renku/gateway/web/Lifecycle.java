package io.renku.gateway.web;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Draining at shutdown: once {@link #drain} starts (the JVM is shutting down, or the application is undeployed),
 * {@code /ready} answers 503 so a load balancer stops sending, a new request gets a 503 with {@code Retry-After}
 * (another replica can take it), and the requests in flight get up to {@code server.shutdownGraceSeconds} to finish
 * before the pools close. The container must give them that long too: Tomcat waits a context's {@code unloadDelay}
 * for requests in flight before it destroys the servlets ({@code server-config/tomcat/context.xml} sets it), WildFly
 * its {@code suspend-timeout}.
 */
public final class Lifecycle {
    public static final String ATTRIBUTE = Lifecycle.class.getName();

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();

    /** Counts a request in; false when draining (the caller answers 503 and must not call {@link #leave}). */
    boolean enter() {
        inFlight.incrementAndGet();
        if (draining.get()) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    void leave() {
        inFlight.decrementAndGet();
    }

    public boolean draining() {
        return draining.get();
    }

    int inFlight() {
        return inFlight.get();
    }

    /** Stops taking requests and waits up to {@code grace} for the ones in flight; true when they all finished. */
    boolean drain(Duration grace) {
        draining.set(true);
        long deadline = System.nanoTime() + grace.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return inFlight.get() == 0;
            }
        }
        return inFlight.get() == 0;
    }
}

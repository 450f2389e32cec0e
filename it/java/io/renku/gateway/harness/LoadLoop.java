package io.renku.gateway.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The client side of a fault drill: a bounded loop of requests (a fixed count, over a few threads) while the test
 * breaks something, recording every answer with when it was sent and when it came back, so a drill can count each
 * status, find the window in which requests failed and check that no request hung. A request that gets no answer
 * (refused, reset, or no answer within the client timeout) is recorded as status {@code -1}.
 */
public final class LoadLoop {
    /** One request's outcome; times are {@link System#nanoTime()} values. */
    public record Outcome(int target, long sentNanos, long doneNanos, int status, boolean retryAfter, String body) {
        public long millis() {
            return (doneNanos - sentNanos) / 1_000_000;
        }
    }

    private final List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ExecutorService threads;
    private final AtomicInteger left;
    private final int total;
    private final Duration timeout;
    private final long pauseMillis;
    private final IntFunction<HttpRequest.Builder> request;
    private final int targets;

    /**
     * {@code total} requests over {@code threads} threads; request {@code n} is {@code request.apply(n)}, its target
     * index {@code n % targets} (so a drill can alternate replicas or sessions). Each thread pauses
     * {@code pauseMillis} between requests so the loop spans the drill rather than finishing before it.
     */
    public LoadLoop(int total, int threads, int targets, long pauseMillis, Duration timeout,
            IntFunction<HttpRequest.Builder> request) {
        this.total = total;
        this.left = new AtomicInteger(total);
        this.threads = Executors.newFixedThreadPool(threads);
        this.timeout = timeout;
        this.pauseMillis = pauseMillis;
        this.request = request;
        this.targets = targets;
        for (int i = 0; i < threads; i++) {
            this.threads.submit(this::run);
        }
    }

    private void run() {
        for (int n; (n = left.decrementAndGet()) >= 0; ) {
            long sent = System.nanoTime();
            int status;
            boolean retryAfter = false;
            String body = "";
            try {
                HttpResponse<String> response = http.send(request.apply(n).timeout(timeout).build(),
                        HttpResponse.BodyHandlers.ofString());
                status = response.statusCode();
                retryAfter = response.headers().firstValue("Retry-After").isPresent();
                body = response.body().length() > 300 ? response.body().substring(0, 300) : response.body();
            } catch (IOException e) {
                status = -1;
                body = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            outcomes.add(new Outcome(n % targets, sent, System.nanoTime(), status, retryAfter, body));
            if (pauseMillis > 0) {
                try {
                    Thread.sleep(pauseMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** How many requests have been answered so far. */
    public int done() {
        return outcomes.size();
    }

    /** Waits until {@code count} requests were answered (or the loop ended). */
    public void awaitDone(int count, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (outcomes.size() < Math.min(count, total) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    /** Waits for the whole loop and returns every outcome in the order they came back. */
    public List<Outcome> finish(Duration max) throws InterruptedException {
        threads.shutdown();
        if (!threads.awaitTermination(max.toMillis(), TimeUnit.MILLISECONDS)) {
            threads.shutdownNow();
            throw new AssertionError("the load loop did not end within " + max + " (" + outcomes.size() + " of "
                    + total + " answered): a request hung");
        }
        synchronized (outcomes) {
            List<Outcome> copy = new ArrayList<>(outcomes);
            copy.sort((a, b) -> Long.compare(a.doneNanos(), b.doneNanos()));
            return copy;
        }
    }

    /** Status → count. */
    public static Map<Integer, Integer> counts(List<Outcome> outcomes) {
        Map<Integer, Integer> counts = new TreeMap<>();
        outcomes.forEach(o -> counts.merge(o.status(), 1, Integer::sum));
        return counts;
    }

    /** The longest answer time, in ms. */
    public static long slowestMillis(List<Outcome> outcomes) {
        return outcomes.stream().mapToLong(Outcome::millis).max().orElse(0);
    }

    /** The {@code q} quantile (0..1) of the answer times, in ms. */
    public static long quantileMillis(List<Outcome> outcomes, double q) {
        long[] sorted = outcomes.stream().mapToLong(Outcome::millis).sorted().toArray();
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    public static HttpRequest.Builder get(String url, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return builder;
    }
}

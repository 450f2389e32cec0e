package io.renku.gateway.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * A flame summary of a JFR recording in a few lines: the share of CPU samples whose stack passes through each part of
 * the request path (inclusive), and the methods most often on top of the stack (self time).
 */
public final class JfrSummary {
    private static final Map<String, String> PARTS = new LinkedHashMap<>();

    static {
        PARTS.put("Tomcat (parse, dispatch, write)", "org.apache.coyote.");
        PARTS.put("gateway filters and servlets", "io.renku.gateway.");
        PARTS.put("spring-session", "org.springframework.session.");
        PARTS.put("Smiley proxy", "org.mitre.dsmiley.");
        PARTS.put("HttpClient to the upstream", "org.apache.http.");
        PARTS.put("Jedis / Redis", "redis.clients.");
        PARTS.put("near cache (Caffeine)", "com.github.benmanes.caffeine.");
        PARTS.put("AES-GCM token decryption", "com.sun.crypto.provider.GaloisCounterMode");
        PARTS.put("HMAC cookie check", "javax.crypto.Mac.");
        PARTS.put("Nimbus (JWT)", "com.nimbusds.");
        PARTS.put("java.util.logging", "java.util.logging.");
        PARTS.put("Micrometer", "io.micrometer.");
        PARTS.put("SecureRandom", "java.security.SecureRandom.");
        PARTS.put("regular expressions", "java.util.regex.");
    }

    /**
     * Parts for the exclusive view: a sample is charged to the innermost frame that belongs to one of them, so JDK code
     * called by a library (a {@code HashMap.get} inside Tomcat) counts for that library. Longest prefix wins.
     */
    private static final Map<String, String> OWNERS = new LinkedHashMap<>();

    static {
        OWNERS.put("org.apache.coyote.", "Tomcat connector (parse, write)");
        OWNERS.put("org.apache.tomcat.", "Tomcat connector (parse, write)");
        OWNERS.put("org.apache.catalina.", "Tomcat dispatch (pipeline, facades, filter chain)");
        OWNERS.put("io.renku.gateway.", "gateway code");
        OWNERS.put("io.renku.gateway.proxy.", "gateway proxy code");
        OWNERS.put("io.renku.gateway.session.", "gateway session code");
        OWNERS.put("io.renku.gateway.web.", "gateway request filter");
        OWNERS.put("io.renku.gateway.metrics.", "Micrometer");
        OWNERS.put("io.micrometer.", "Micrometer");
        OWNERS.put("org.springframework.", "spring-session");
        OWNERS.put("org.mitre.dsmiley.", "Smiley proxy");
        OWNERS.put("org.apache.http.", "HttpClient to the upstream");
        OWNERS.put("redis.clients.", "Jedis / Redis");
        OWNERS.put("com.github.benmanes.caffeine.", "near cache (Caffeine)");
        OWNERS.put("com.nimbusds.", "Nimbus (JWT)");
        OWNERS.put("java.util.logging.", "java.util.logging");
        OWNERS.put("javax.crypto.", "crypto (HMAC, AES)");
        OWNERS.put("com.sun.crypto.", "crypto (HMAC, AES)");
        OWNERS.put("sun.security.", "crypto (HMAC, AES)");
        OWNERS.put("sun.nio.ch.", "socket I/O (JDK)");
        OWNERS.put("java.net.", "java.net (URI, sockets)");
    }

    private JfrSummary() {
    }

    /** Prints the summary of each recording named: {@code java -cp target/test-classes …JfrSummary a.jfr b.jfr}. */
    public static void main(String[] args) throws IOException {
        for (String file : args) {
            print(Path.of(file), System.out::println);
        }
    }

    static void print(Path recording, Consumer<String> out) throws IOException {
        Map<String, Integer> inclusive = new LinkedHashMap<>();
        Map<String, Integer> self = new LinkedHashMap<>();
        Map<String, Integer> exclusive = new LinkedHashMap<>();
        int samples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
                continue;
            }
            List<RecordedFrame> frames = event.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            samples++;
            List<String> names = new ArrayList<>(frames.size());
            for (RecordedFrame frame : frames) {
                names.add(frame.getMethod().getType().getName() + "." + frame.getMethod().getName());
            }
            self.merge(names.get(0), 1, Integer::sum);
            exclusive.merge(owner(names), 1, Integer::sum);
            for (Map.Entry<String, String> part : PARTS.entrySet()) {
                if (names.stream().anyMatch(n -> n.startsWith(part.getValue()))) {
                    inclusive.merge(part.getKey(), 1, Integer::sum);
                }
            }
        }
        int n = Math.max(1, samples);
        out.accept("profile " + recording.getFileName() + ": " + samples + " CPU samples; share of samples through:");
        inclusive.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> out.accept(String.format(Locale.ROOT, "  %5.1f %%  %s", 100.0 * e.getValue() / n,
                        e.getKey())));
        out.accept("  exclusive (innermost frame of a part; JDK code counts for its caller):");
        exclusive.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> out.accept(String.format(Locale.ROOT, "  %5.1f %%  %s", 100.0 * e.getValue() / n,
                        e.getKey())));
        out.accept("  top of stack:");
        self.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(12)
                .forEach(e -> out.accept(String.format(Locale.ROOT, "  %5.1f %%  %s", 100.0 * e.getValue() / n,
                        e.getKey())));
    }

    private static String owner(List<String> frames) {
        for (String frame : frames) {
            String best = null;
            for (String prefix : OWNERS.keySet()) {
                if (frame.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                    best = prefix;
                }
            }
            if (best != null) {
                return OWNERS.get(best);
            }
        }
        return "other (JDK, threads)";
    }
}

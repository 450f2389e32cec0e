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
        out.accept("  top of stack:");
        self.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(8)
                .forEach(e -> out.accept(String.format(Locale.ROOT, "  %5.1f %%  %s", 100.0 * e.getValue() / n,
                        e.getKey())));
    }
}

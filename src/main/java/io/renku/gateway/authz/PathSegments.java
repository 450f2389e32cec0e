package io.renku.gateway.authz;

import io.renku.gateway.proxy.ForwardPath;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The view of a request path that edge rules judge: the path the upstream will understand, as decoded segments.
 * Starts from the proxy's own normalisation ({@link ForwardPath#of}: escapes of unreserved characters decoded, slashes
 * merged, dot segments, backslashes and NUL refused with 400), then per segment drops path parameters ({@code ;x=y}),
 * percent-decodes, and treats a decoded {@code /} ({@code %2F}) as the separator it becomes upstream. Empty segments
 * are dropped. Kept behind this interface so the rules follow the proxy when its normalisation changes.
 */
@FunctionalInterface
public interface PathSegments {
    /** @throws io.renku.gateway.errors.GatewayException 400 for a path the proxy refuses too */
    List<String> of(String rawPath);

    /** The proxy's normalisation followed by the segment rules above. */
    static PathSegments forwarded() {
        return raw -> {
            String normalised = ForwardPath.of(raw);
            List<String> segments = new ArrayList<>();
            for (String segment : normalised.split("/")) {
                int parameters = segment.indexOf(';');
                String name = parameters >= 0 ? segment.substring(0, parameters) : segment;
                for (String part : decode(name).split("/")) {
                    if (!part.isEmpty()) {
                        segments.add(part);
                    }
                }
            }
            return List.copyOf(segments);
        };
    }

    /** Percent-decoding of a path segment as UTF-8 ({@code +} stays a plus); invalid escapes are kept literally. */
    private static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        byte[] in = raw.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            int high = i + 2 < in.length ? Character.digit(in[i + 1], 16) : -1;
            int low = i + 2 < in.length ? Character.digit(in[i + 2], 16) : -1;
            if (in[i] == '%' && high >= 0 && low >= 0) {
                out.write(high * 16 + low);
                i += 2;
            } else {
                out.write(in[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}

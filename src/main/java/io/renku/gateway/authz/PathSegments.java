package io.renku.gateway.authz;

import io.renku.gateway.proxy.ForwardPath;
import java.util.ArrayList;
import java.util.List;

/**
 * The view of a request path that edge rules judge: the proxy's own, {@link ForwardPath#ruleView} of
 * {@link ForwardPath#of} (escapes of unreserved characters decoded, slashes merged, dot segments, backslashes and NUL
 * refused with 400; then path parameters removed per segment, {@code %2F} taken as a separator, percent-decoded), as
 * a list of segments. The route table and the deny rules match the same view, so a rule sees exactly the path the
 * request is routed by. Kept behind this interface so the rules follow the proxy if its normalisation changes.
 */
@FunctionalInterface
public interface PathSegments {
    /** @throws io.renku.gateway.errors.GatewayException 400 for a path the proxy refuses too */
    List<String> of(String rawPath);

    /** The proxy's view, split into segments. */
    static PathSegments forwarded() {
        return raw -> {
            String view = ForwardPath.ruleView(ForwardPath.of(raw));
            List<String> segments = new ArrayList<>();
            int start = 1;
            for (int i = 1; i <= view.length(); i++) {
                if (i == view.length() || view.charAt(i) == '/') {
                    if (i > start) {
                        segments.add(view.substring(start, i));
                    }
                    start = i + 1;
                }
            }
            return List.copyOf(segments);
        };
    }
}

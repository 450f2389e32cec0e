package io.renku.gateway.login;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One row per redirect trick: what a login given that {@code redirect_url} ends at. */
class RedirectTargetsTest {
    private static final String BASE = "https://renku.example.org/";
    private static final RedirectTargets TARGETS = new RedirectTargets(URI.create(BASE),
            List.of(URI.create("https://docs.example.org/renku"), URI.create("http://localhost:3000")));

    static Stream<Arguments> rows() {
        return Stream.of(
                // accepted: the base origin, relative paths on it, and the allow list
                Arguments.of("https://renku.example.org/projects/1?tab=files#top",
                        "https://renku.example.org/projects/1?tab=files#top"),
                Arguments.of("HTTPS://RENKU.EXAMPLE.ORG/x", "HTTPS://RENKU.EXAMPLE.ORG/x"),
                Arguments.of("https://renku.example.org:443/x", "https://renku.example.org:443/x"),
                Arguments.of("/projects?q=a%20b", "https://renku.example.org/projects?q=a%20b"),
                Arguments.of("/", "https://renku.example.org/"),
                Arguments.of("/%2F/evil.example", "https://renku.example.org/%2F/evil.example"),
                Arguments.of("/projects/é", "https://renku.example.org/projects/%C3%A9"),
                Arguments.of("https://docs.example.org/renku", "https://docs.example.org/renku"),
                Arguments.of("https://docs.example.org/renku/guide", "https://docs.example.org/renku/guide"),
                Arguments.of("http://localhost:3000/anything", "http://localhost:3000/anything"),
                // missing or empty
                Arguments.of(null, BASE),
                Arguments.of("", BASE),
                // other hosts, schemes and ports
                Arguments.of("https://evil.example/", BASE),
                Arguments.of("https://renku.example.org.evil.example/", BASE),
                Arguments.of("https://evil.example/renku.example.org", BASE),
                Arguments.of("http://renku.example.org/", BASE),
                Arguments.of("https://renku.example.org:8443/", BASE),
                Arguments.of("https://docs.example.org/renkuevil", BASE),
                Arguments.of("https://docs.example.org/", BASE),
                Arguments.of("http://localhost:3001/", BASE),
                Arguments.of("ftp://renku.example.org/", BASE),
                // protocol-relative and backslash variants
                Arguments.of("//evil.example", BASE),
                Arguments.of("//evil.example/path", BASE),
                Arguments.of("/\\evil.example", BASE),
                Arguments.of("\\\\evil.example", BASE),
                Arguments.of("/%5Cevil.example", BASE),
                Arguments.of("https://renku.example.org\\@evil.example/", BASE),
                // scheme tricks
                Arguments.of("https:evil.example", BASE),
                Arguments.of("https:/evil.example", BASE),
                Arguments.of("javascript:alert(1)", BASE),
                Arguments.of("JavaScript://renku.example.org/%0aalert(1)", BASE),
                Arguments.of("data:text/html,<script>alert(1)</script>", BASE),
                Arguments.of("evil.example", BASE),
                // user-info
                Arguments.of("https://renku@evil.example", BASE),
                Arguments.of("https://renku.example.org@evil.example/", BASE),
                Arguments.of("https://evil.example@renku.example.org/", BASE),
                Arguments.of("https://renku.example.org%40evil.example/", BASE),
                // percent-encoded and unicode hosts
                Arguments.of("https://renku%2eexample%2eorg/", BASE),
                Arguments.of("https://evil.example%2frenku.example.org/", BASE),
                Arguments.of("%2F%2Fevil.example", BASE),
                Arguments.of("https://renku.example.org\u3002evil.example/", BASE),
                Arguments.of("https://renku\uFF0Eexample\uFF0Eorg/", BASE),
                Arguments.of("https://rеnku.example.org/", BASE),
                Arguments.of("https://evil.example\u2215renku.example.org/", BASE),
                // control characters and whitespace
                Arguments.of("/\t/evil.example", BASE),
                Arguments.of("/\n/evil.example", BASE),
                Arguments.of("https://renku.example.org/\r\nSet-Cookie:x=1", BASE),
                Arguments.of(" https://evil.example", BASE),
                Arguments.of("/x%0d%0aLocation:https://evil.example", BASE),
                Arguments.of("/x%00", BASE),
                // dot segments, literal and encoded (they could climb out of an allowed prefix)
                Arguments.of("https://docs.example.org/renku/../evil", BASE),
                Arguments.of("https://docs.example.org/renku/%2e%2e/evil", BASE),
                Arguments.of("https://docs.example.org/renku/.%2E/evil", BASE),
                Arguments.of("/projects/../admin", BASE),
                Arguments.of("/./x", BASE),
                // too long
                Arguments.of("/" + "a".repeat(5000), BASE));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("rows")
    void redirectUrlIsKeptOnlyWhenItStaysOnRenkuOrTheAllowList(String requested, String expected) {
        assertEquals(expected, TARGETS.validate(requested).toString());
    }
}

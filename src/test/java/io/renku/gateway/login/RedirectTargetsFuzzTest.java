package io.renku.gateway.login;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Fuzzes {@link RedirectTargets} with {@code redirect_url} values: a start the fuzzer picks (the base, an allowed
 * entry, a look-alike, a scheme-relative or odd form) and a fuzzed rest. Properties: validating never throws; the
 * result, as the text a browser gets in {@code Location}, is on the base origin or under an allowed entry (checked
 * here on the string with a pattern, independently of {@link URI}'s parsing), ASCII, and free of spaces, control
 * characters, backslashes and user-info.
 */
class RedirectTargetsFuzzTest {
    private static final RedirectTargets TARGETS = new RedirectTargets(URI.create("https://renku.example.org"),
            List.of(URI.create("https://docs.example.org/app"), URI.create("http://localhost:3000")));
    /** The allowed origins as a browser reads them: an empty or zero-padded default port is the same origin. */
    private static final Pattern ALLOWED = Pattern.compile("(?i)(https://renku\\.example\\.org(:0*443|:)?([/?#].*)?"
            + "|https://docs\\.example\\.org(:0*443|:)?/app([/?#].*)?|http://localhost:0*3000([/?#].*)?)",
            Pattern.DOTALL);
    private static final String[] STARTS = {"", "/", "//", "https://renku.example.org", "https://renku.example.org/",
        "HTTPS://RENKU.EXAMPLE.ORG:443", "https://docs.example.org/app", "https://docs.example.org/apps",
        "http://localhost:3000", "https://renku.example.org.evil.example", "https://renku.example.org@evil.example",
        "http:", "https:", "javascript:", "\\\\", "/\\", "http://evil.example", "%2F%2F", "https://renku.example.org%2F"};

    @FuzzTest(maxDuration = "5s")
    @DictionaryEntries({"/", "//", "\\", "@", "#", "?", ":", "%2e", "%2f", "%5c", "%09", "%0d%0a", "..", ".", "evil.example",
        ":443", ":80", "[::1]", "\uff0e", "\u3002", "%00"})
    void aValidatedRedirectNeverLeavesTheAllowedOrigins(FuzzedDataProvider data) {
        String requested = data.pickValue(STARTS) + data.consumeRemainingAsString();
        String location = TARGETS.validate(requested).toString();
        assertTrue(ALLOWED.matcher(location).matches(), requested + " redirects to " + location);
        assertTrue(location.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '\\'), location);
        String authority = location.substring(location.indexOf("//") + 2).split("[/?#]", 2)[0];
        assertTrue(authority.indexOf('@') < 0, location);
    }
}

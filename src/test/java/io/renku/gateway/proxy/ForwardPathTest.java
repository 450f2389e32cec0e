package io.renku.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Raw paths: what is forwarded byte for byte, what is normalised, what is refused. */
class ForwardPathTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        /api/data/a%2Fb/c%20d/%C3%A9     | /api/data/a%2Fb/c%20d/%C3%A9
        /api/data/a%2fb                  | /api/data/a%2fb
        /api/data/%7Euser/x%2By          | /api/data/~user/x%2By
        /api/data/user/secret%5Fkey      | /api/data/user/secret_key
        /api/dat%61/x                    | /api/data/x
        /api/data//user/secret_key       | /api/data/user/secret_key
        /api/data/..x/x..                | /api/data/..x/x..
        /api/data/.well-known            | /api/data/.well-known
        /                                | /
        """)
    void pathsAreForwardedAsSentExceptUnreservedEscapesAndRepeatedSlashes(String raw, String forwarded) {
        assertEquals(forwarded, ForwardPath.of(raw));
    }

    @ParameterizedTest(name = "{0} is judged as {1}")
    @CsvSource(delimiter = '|', textBlock = """
        /api/data/user/secret_key        | /api/data/user/secret_key
        /api/data/user/secret_key;x      | /api/data/user/secret_key
        /api/data/user/secret_key;       | /api/data/user/secret_key
        /api/data/user;x/secret_key      | /api/data/user/secret_key
        /api/data/user%2fsecret_key      | /api/data/user/secret_key
        /api/data/user%2Fsecret_key      | /api/data/user/secret_key
        /api/data/user/secret_key%2f     | /api/data/user/secret_key
        /api/data/user/secret_key%3bx    | /api/data/user/secret_key
        /api/data/user/secret_key%3B     | /api/data/user/secret_key
        /api/data/user%2F%2Fsecret_key   | /api/data/user/secret_key
        /api/data/user;a=1;b=2/x         | /api/data/user/x
        /api/data/a%20b/%C3%A9           | /api/data/a b/é
        /api/data/a%252Fb                | /api/data/a%2Fb
        /api;x/data                      | /api/data
        /ui-server/api/data/user/secret_key;a | /ui-server/api/data/user/secret_key
        /                                | /
        /;x                              | /
        """)
    void rulesJudgeThePathAsAnUpstreamMayUnderstandIt(String raw, String view) {
        assertEquals(view, ForwardPath.ruleView(ForwardPath.of(raw)));
    }

    @Test
    void theRuleViewDoesNotChangeWhatIsForwarded() {
        assertEquals("/api/data/user;x/a%2Fb", ForwardPath.of("/api/data/user;x/a%2Fb"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/data/../kc", "/api/data/./x", "/api/data/..", "/api/data/%2e%2e/kc",
        "/api/data/%2E./kc", "/api/data/.%2E/kc", "/api/data/%2e", "/api/data/a%2F..%2Fb", "/api/data/a%2f%2e%2e",
        "/api/data/..;x=1/kc", "/api/data/%2e%2e;/kc", "/api/data/a%5Cb", "/api/data/a%5c..%5cb",
        "/api/data/a\\b", "/api/data/a%00b", "relative/path"})
    void pathsThatCouldClimbOutOfTheRouteAreRefused(String raw) {
        GatewayException e = assertThrows(GatewayException.class, () -> ForwardPath.of(raw));
        assertEquals(ErrorKind.BAD_REQUEST, e.kind());
    }
}

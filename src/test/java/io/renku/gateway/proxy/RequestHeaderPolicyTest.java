package io.renku.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which client headers reach an upstream; one row per header. */
class RequestHeaderPolicyTest {
    private final RequestHeaderPolicy policy = RequestHeaderPolicy.forConnectionHeaders(
            List.of("keep-alive, X-Private-Hop", "close"));

    @ParameterizedTest(name = "{0} forwarded: {1}")
    @CsvSource(textBlock = """
        Accept,                         true
        Content-Type,                   true
        Cookie,                         true
        Expect,                         true
        User-Agent,                     true
        X-Custom,                       true
        Authorization,                  false
        Gitlab_Access_Token,            false
        GITLAB_ACCESS_TOKEN,            false
        Renku_Auth_Anon_Id,             false
        X_Forwarded_For,                false
        Authorization_,                 true
        Some_Custom_Header,             true
        authorization,                  false
        Renku-Auth-Refresh-Token,       false
        Renku-Auth-Anon-Id,             false
        Renku-Auth-Id-Token,            false
        Gitlab-Access-Token,            false
        Gitlab-Access-Token-Expires-At, false
        X-Forwarded-For,                false
        X-Forwarded-Host,               false
        X-Forwarded-Proto,              false
        Forwarded,                      false
        X-Real-IP,                      false
        X-Request-Id,                   false
        Host,                           false
        Content-Length,                 false
        Connection,                     false
        Keep-Alive,                     false
        Proxy-Authorization,            false
        Proxy-Connection,               false
        TE,                             false
        Trailer,                        false
        Transfer-Encoding,              false
        Upgrade,                        false
        X-Private-Hop,                  false
        x-private-hop,                  false
        """)
    void clientHeadersAreFilteredByName(String name, boolean forwarded) {
        assertEquals(forwarded, policy.forwards(name));
    }
}

package io.renku.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The gateway's cookie never goes to an upstream and never comes from one; other cookies pass in order. */
class SessionCookiesTest {
    private final SessionCookies cookies = new SessionCookies("_renku_session");

    @ParameterizedTest(name = "Cookie: {0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "NONE", textBlock = """
        _renku_session=abc; other=1                  | other=1
        other=1; _renku_session=abc; b=2             | other=1; b=2
        __Host-_renku_session=abc; other=1           | other=1
        __Secure-_renku_session=abc;other=1          | other=1
        _renku_session=abc                           | NONE
        _renku_session_x=1; x_renku_session=2        | _renku_session_x=1; x_renku_session=2
        _renku_session_x=1;x_renku_session=2         | _renku_session_x=1; x_renku_session=2
        a=1;b=2                                      | a=1;b=2
        a=x=y; b                                     | a=x=y; b
        a=b, _renku_session=abc                      | NONE
        a=b, _renku_session=abc; c=d                 | c=d
        c=d; a=b,_RENKU_SESSION=abc                  | c=d
        a="x _renku_session=abc"; c=d                | c=d
        a=1, b=2                                     | a=1, b=2
        """)
    void sessionCookieIsRemovedFromForwardedCookies(String header, String forwarded) {
        assertEquals(forwarded, cookies.withoutSessionCookie(header));
    }

    @ParameterizedTest(name = "Set-Cookie: {0} blocked: {1}")
    @CsvSource(delimiter = '|', textBlock = """
        _renku_session=evil; Path=/; HttpOnly        | true
        __Host-_renku_session=evil; Path=/; Secure   | true
        other=1; Path=/; SameSite=Lax                | false
        _renku_session_csrf=1                        | false
        """)
    void upstreamCannotSetTheSessionCookie(String setCookie, boolean blocked) {
        assertEquals(blocked, cookies.setsSessionCookie(setCookie));
    }
}

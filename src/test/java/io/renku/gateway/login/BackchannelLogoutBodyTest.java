package io.renku.gateway.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The back-channel logout body is read by hand: every malformed shape is a refusal that says why, never a throw. */
class BackchannelLogoutBodyTest {
    private static ByteArrayInputStream body(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "[{0}] {1} -> {2}")
    @CsvSource(delimiter = '|', nullValues = "NONE", textBlock = """
        NONE                                              | logout_token=a.b.c          | no Content-Type
        text/plain                                        | logout_token=a.b.c          | must be application/x-www-form-urlencoded
        application/json                                  | {}                          | must be application/x-www-form-urlencoded
        application/x-www-form-urlencoded; charset=evil   | logout_token=a.b.c          | must be UTF-8
        application/x-www-form-urlencoded; charset=utf-16 | logout_token=a.b.c          | must be UTF-8
        application/x-www-form-urlencoded                 | ''                          | missing
        application/x-www-form-urlencoded                 | logout_token=               | missing
        application/x-www-form-urlencoded                 | a=%zz                       | logout_token
        application/x-www-form-urlencoded                 | logout_token=x&logout_token=y | repeated
        """)
    void malformedBodiesAreRefusedWithAReason(String contentType, String form, String reason) {
        BackchannelLogoutResource.BadRequest e = assertThrows(BackchannelLogoutResource.BadRequest.class,
                () -> BackchannelLogoutResource.logoutToken(contentType, body(form)));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        application/x-www-form-urlencoded
        application/x-www-form-urlencoded; charset=UTF-8
        Application/X-WWW-Form-Urlencoded;charset="utf-8"
        application/x-www-form-urlencoded; charset=us-ascii
        """)
    void aWellFormedFormYieldsItsToken(String contentType) throws Exception {
        assertEquals("a.b+c", BackchannelLogoutResource.logoutToken(contentType, body("x=1&logout_token=a.b%2Bc")));
    }

    @Test
    void aBodyOverTheLimitIsRefusedWithoutReadingItAll() {
        String form = "logout_token=" + "a".repeat(BackchannelLogoutResource.MAX_BODY_BYTES);
        BackchannelLogoutResource.BadRequest e = assertThrows(BackchannelLogoutResource.BadRequest.class,
                () -> BackchannelLogoutResource.logoutToken("application/x-www-form-urlencoded", body(form)));
        assertTrue(e.getMessage().contains("larger than"), e.getMessage());
    }
}

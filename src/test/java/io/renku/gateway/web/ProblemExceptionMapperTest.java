package io.renku.gateway.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.renku.gateway.errors.ErrorKind;
import jakarta.ws.rs.ProcessingException;
import java.nio.charset.UnsupportedCharsetException;
import org.junit.jupiter.api.Test;

/** Exceptions that only a client's request can cause become 4xx problems; others stay unexpected (500). */
class ProblemExceptionMapperTest {
    @Test
    void anUnknownCharsetDeepInACauseChainIs415() {
        Problem problem = ProblemExceptionMapper.clientMistake(new ProcessingException("reading the entity",
                new IllegalStateException(new UnsupportedCharsetException("evil"))));
        assertEquals(ErrorKind.UNSUPPORTED_MEDIA_TYPE, problem.kind());
    }

    @Test
    void aFormParameterReadFromANonFormBodyIs415() {
        Problem problem = ProblemExceptionMapper.clientMistake(new IllegalStateException("The @FormParam is utilized "
                + "when the content type of the request entity is not application/x-www-form-urlencoded"));
        assertEquals(ErrorKind.UNSUPPORTED_MEDIA_TYPE, problem.kind());
    }

    @Test
    void aBugOfOursIsNotBlamedOnTheClient() {
        assertNull(ProblemExceptionMapper.clientMistake(new IllegalStateException("no provider configured")));
        assertNull(ProblemExceptionMapper.clientMistake(new NullPointerException()));
    }
}

package io.renku.gateway.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProblemRendererTest {
    private final ProblemRenderer renderer = new ProblemRenderer();

    @ParameterizedTest(name = "Accept: {0} -> html={1}")
    @CsvSource(nullValues = "-", delimiter = '|', value = {
        "-                                                   | false",
        "*/*                                                 | false",
        "application/json                                    | false",
        "application/problem+json, text/html                 | false",
        "text/html,application/xhtml+xml,*/*;q=0.8           | true",
        "text/html                                           | true",
        "TEXT/HTML                                           | true",
    })
    void browsersGetHtmlAndApisGetJson(String accept, boolean html) {
        assertEquals(html, ProblemRenderer.prefersHtml(accept));
    }

    @Test
    void jsonCarriesTypeTitleStatusDetailAndRequestId() throws Exception {
        Problem problem = Problem.of(GatewayException.badRequest("redirect_url is not allowed"), "/x", "req-1");
        ProblemRenderer.Body body = renderer.render(problem, "application/json");
        assertEquals("application/problem+json", body.mediaType());
        JsonNode node = new ObjectMapper().readTree(body.text());
        assertEquals("urn:renku-gateway:problem:bad-request", node.path("type").asText());
        assertEquals(400, node.path("status").asInt());
        assertEquals("redirect_url is not allowed", node.path("detail").asText());
        assertEquals("req-1", node.path("requestId").asText());
    }

    @Test
    void htmlEscapesWhatTheClientSent() {
        Problem problem = Problem.of(new GatewayException(ErrorKind.NOT_FOUND, "Nothing at /<script>alert(1)</script>"),
                "/x", "r");
        String html = renderer.render(problem, "text/html").text();
        assertFalse(html.contains("<script>"), html);
        assertTrue(html.contains("&lt;script&gt;"));
    }

    @Test
    void unexpectedFailuresPointAtTheRequestIdNotTheException() {
        Problem problem = Problem.unexpected("/x", "abc123");
        assertEquals(500, problem.status());
        assertTrue(problem.detail().contains("abc123"));
    }
}

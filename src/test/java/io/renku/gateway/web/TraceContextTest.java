package io.renku.gateway.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** W3C traceparent: a well-formed one keeps its trace id, anything else starts a trace. */
class TraceContextTest {
    private final SecureRandom random = new SecureRandom();

    @Test
    void aWellFormedTraceparentKeepsItsTraceAndFlagsWithTheGatewaysSpan() {
        TraceContext trace = TraceContext.of("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", random);
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", trace.traceId());
        assertNotEquals("00f067aa0ba902b7", trace.spanId());
        assertTrue(trace.traceparent().matches("00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01"));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "garbage", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\nX: y"})
    void anythingElseStartsANewTrace(String header) {
        TraceContext trace = TraceContext.of(header, random);
        assertTrue(trace.traceId().matches("[0-9a-f]{32}"), trace.traceId());
        assertTrue(header == null || !header.contains(trace.traceId()));
        assertTrue(trace.traceparent().matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"));
    }
}

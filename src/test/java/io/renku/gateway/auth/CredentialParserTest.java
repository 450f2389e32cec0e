package io.renku.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.AuthMethod;
import io.renku.gateway.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CredentialParserTest {

    private static String basic(String userColonToken) {
        return "Basic " + Base64.getEncoder().encodeToString(userColonToken.getBytes(StandardCharsets.UTF_8));
    }

    static Stream<Arguments> accepted() {
        return Stream.of(
                Arguments.of("Bearer abc.def.ghi", AuthMethod.BEARER, "abc.def.ghi"),
                Arguments.of("bearer abc", AuthMethod.BEARER, "abc"),
                Arguments.of("BEARER abc", AuthMethod.BEARER, "abc"),
                Arguments.of("Bearer   abc", AuthMethod.BEARER, "abc"),
                Arguments.of("  Bearer abc  ", AuthMethod.BEARER, "abc"),
                Arguments.of("Bearer a-b_c~d+e/f==", AuthMethod.BEARER, "a-b_c~d+e/f=="),
                Arguments.of(basic("oauth2:glpat-123"), AuthMethod.BASIC, "glpat-123"),
                Arguments.of("Basic dXNlcjp0b2tlbg", AuthMethod.BASIC, "token"),
                Arguments.of(basic("anyone:tok:with:colons"), AuthMethod.BASIC, "tok:with:colons"),
                Arguments.of(basic(":token-without-user"), AuthMethod.BASIC, "token-without-user"),
                Arguments.of("basic " + Base64.getEncoder().encodeToString("u:t".getBytes(StandardCharsets.UTF_8)),
                        AuthMethod.BASIC, "t"),
                Arguments.of("Basic   " + Base64.getEncoder().encodeToString("u:abc.def.ghi"
                        .getBytes(StandardCharsets.UTF_8)), AuthMethod.BASIC, "abc.def.ghi"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void acceptedHeadersGiveTheToken(String header, AuthMethod method, String token) {
        Credential credential = CredentialParser.parse(header).orElseThrow();
        assertEquals(method, credential.method());
        assertEquals(Secret.of(token), credential.token());
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("", "empty Authorization header"),
                Arguments.of("   ", "empty Authorization header"),
                Arguments.of("Bearer", "Bearer without a token"),
                Arguments.of("Bearer    ", "Bearer without a token"),
                Arguments.of("Bearer abc def", "single token"),
                Arguments.of("Bearer abc\tdef", "single token"),
                Arguments.of("Bearer ab\"c", "single token"),
                Arguments.of("Bearer =abc", "single token"),
                Arguments.of("Bearer abc,Bearer def", "single token"),
                Arguments.of("Bearerabc", "unsupported authorization scheme"),
                Arguments.of("Digest username=\"x\"", "unsupported authorization scheme"),
                Arguments.of("Negotiate abc", "unsupported authorization scheme"),
                Arguments.of("Token abc", "unsupported authorization scheme"),
                Arguments.of("Basic", "Basic without credentials"),
                Arguments.of("Basic !!!!", "not valid base64"),
                Arguments.of("Basic dXNl cjp0b2tlbg==", "not valid base64"),
                Arguments.of(basic("no-colon-here"), "must be user:token"),
                Arguments.of(basic("user:"), "empty token"),
                Arguments.of(basic("user:tok en"), "printable ASCII"),
                Arguments.of("Basic " + Base64.getEncoder().encodeToString(new byte[] {'u', ':', (byte) 0xC3}),
                        "UTF-8"));
    }

    @ParameterizedTest(name = "[{index}] ''{0}'' is refused: {1}")
    @MethodSource("refused")
    void malformedHeadersAreInvalidRequest(String header, String why) {
        GatewayException e = assertThrows(GatewayException.class, () -> CredentialParser.parse(header));
        assertEquals(ErrorKind.BAD_REQUEST, e.kind());
        String challenge = e.headers().get("WWW-Authenticate");
        assertTrue(challenge.startsWith("Bearer error=\"invalid_request\", error_description=\""), challenge);
        assertTrue(e.getMessage().contains(why), e.getMessage());
        assertFalse(e.getMessage().contains("tok en") || e.getMessage().contains("abc def"),
                "the credential is not echoed");
    }

    @Test
    void noHeaderIsNoCredential() {
        assertTrue(CredentialParser.parse(null).isEmpty());
    }

    @Test
    void challengeDescriptionsCarryOnlyCharactersRfc6750Allows() {
        assertEquals("a?b?c?d", BearerChallenge.sanitize("a\"b\\c\nd"));
        assertEquals(200, BearerChallenge.sanitize("x".repeat(500)).length());
    }

    @Test
    void b64TokenCheckAgreesWithTheRfc6750Grammar() {
        java.util.regex.Pattern grammar = java.util.regex.Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");
        for (String token : new String[] {"a", "abc.DEF-_~+/09", "ab==", "a=", "=", "==", "", "a=b", "a b", "a\tb",
                "ä", "a%", "a,b", "a=;", "eyJ.eyJ.sig", "a/=", ".=="}) {
            assertEquals(grammar.matcher(token).matches(), CredentialParser.isB64Token(token), token);
        }
        for (char c = 0; c < 256; c++) {
            String token = "x" + c + "y";
            assertEquals(grammar.matcher(token).matches(), CredentialParser.isB64Token(token), "char " + (int) c);
        }
    }

    @Test
    void twoAuthorizationHeadersAreRefusedNotReadAsTheFirst() {
        GatewayException e = assertThrows(GatewayException.class, () -> CredentialParser.single(
                java.util.Collections.enumeration(java.util.List.of("Bearer real", "Bearer forged"))));
        assertEquals(ErrorKind.BAD_REQUEST, e.kind());
        assertTrue(e.headers().get("WWW-Authenticate").contains("invalid_request"), e.headers().toString());
        assertEquals("Bearer one", CredentialParser.single(java.util.Collections.enumeration(
                java.util.List.of("Bearer one"))));
        assertEquals(null, CredentialParser.single(java.util.Collections.emptyEnumeration()));
        assertEquals(null, CredentialParser.single(null));
    }
}

package io.renku.gateway.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Forged session cookies and JWTs for the hostile corpus, each made from a real one's parts: a cookie is
 * {@code <id>.<base64url HMAC>} signed with the deployment's key (which the IT knows from its environment, so it can
 * also sign ids no session has), a token is Keycloak's access token with its header, payload or signature changed.
 * Every value is registered with {@link IssuedSecrets}, so the log audit also proves no forgery was logged.
 */
public final class Forgeries {
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder URL_DECODER = Base64.getUrlDecoder();
    private static final String LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";

    private final ObjectMapper json = new ObjectMapper();
    private final SecureRandom random = new SecureRandom();
    private final Map<String, String> values = new LinkedHashMap<>();

    /** The forgeries by placeholder name ({@code cookie.flipMac}, {@code jwt.none}, {@code logout.none} ...). */
    public Map<String, String> values() {
        return values;
    }

    private void put(String name, String value) {
        values.put(name, value);
        IssuedSecrets.record(value);
    }

    /** Cookie forgeries from the real value {@code a} and a second session's {@code b}, signed with {@code key}. */
    public void cookies(String a, String b, String loggedOut, byte[] key) throws GeneralSecurityException {
        String id = a.substring(0, a.indexOf('.'));
        String mac = a.substring(a.indexOf('.') + 1);
        String idB = b.substring(0, b.indexOf('.'));
        String macB = b.substring(b.indexOf('.') + 1);
        put("cookie.truncated1", a.substring(0, a.length() - 1));
        put("cookie.truncatedHalf", a.substring(0, a.length() / 2));
        put("cookie.idOnly", id);
        put("cookie.idDot", id + ".");
        put("cookie.macOnly", mac);
        put("cookie.flipMac", id + "." + flip(mac, mac.length() / 2));
        put("cookie.flipId", flip(id, 3) + "." + mac);
        put("cookie.swapped", idB + "." + mac);
        put("cookie.swappedMac", id + "." + macB);
        put("cookie.upper", a.toUpperCase(Locale.ROOT).equals(a) ? a.toLowerCase(Locale.ROOT) : a.toUpperCase(Locale.ROOT));
        put("cookie.lower", a.toLowerCase(Locale.ROOT).equals(a) ? a.toUpperCase(Locale.ROOT) : a.toLowerCase(Locale.ROOT));
        put("cookie.stdBase64", id + "." + Base64.getEncoder().encodeToString(URL_DECODER.decode(mac)));
        put("cookie.padded", a + "=");
        put("cookie.innerSpace", id + ". " + mac);
        put("cookie.quoted", "\"" + a + "\"");
        String unknown = URL.encodeToString(bytes(32));
        put("cookie.signedUnknown", unknown + "." + URL.encodeToString(hmac(key, unknown)));
        put("cookie.otherKey", id + "." + URL.encodeToString(hmac(bytes(32), id)));
        put("cookie.loggedOut", loggedOut);
        put("cookie.appended", a + "x");
        put("cookie.doubleDot", id + ".." + mac);
        put("cookie.macOfOther", id + "." + URL.encodeToString(hmac(key, id + "0")));
        put("cookie.emptyMac", id + "." + "A".repeat(43));
        put("cookie.nulInside", id + "\0" + mac);
        put("cookie.percentEncoded", id + "%2E" + mac);
        put("cookie.shiftedDot", id.substring(0, id.length() - 1) + "." + id.charAt(id.length() - 1) + mac);
    }

    /**
     * JWT forgeries from the real access token {@code jwt} of {@code issuer} (whose JWKS gives the public key that an
     * algorithm-confusion attack uses as an HMAC secret), and the real id and refresh tokens.
     */
    public void tokens(String jwt, String idToken, String refreshToken, String issuer) throws Exception {
        String[] parts = jwt.split("\\.");
        ObjectNode header = (ObjectNode) json.readTree(URL_DECODER.decode(parts[0]));
        ObjectNode payload = (ObjectNode) json.readTree(URL_DECODER.decode(parts[1]));
        RSAKey publicKey = issuerKey(issuer, header.path("kid").asText());
        byte[] pem = ("-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(publicKey.toRSAPublicKey().getEncoded()) + "\n-----END PUBLIC KEY-----\n")
                .getBytes(StandardCharsets.US_ASCII);

        put("jwt.none", unsigned(with(header, "alg", "none"), payload, ""));
        put("jwt.noneUpper", unsigned(with(header, "alg", "NONE"), payload, ""));
        put("jwt.noneMixed", unsigned(with(header, "alg", "nOnE"), payload, ""));
        put("jwt.noneWithSig", unsigned(with(header, "alg", "none"), payload, parts[2]));
        put("jwt.hs256Pem", hs256(with(header, "alg", "HS256"), payload, pem));
        put("jwt.hs256Der", hs256(with(header, "alg", "HS256"), payload, publicKey.toRSAPublicKey().getEncoded()));
        put("jwt.hs256Jwk", hs256(with(header, "alg", "HS256"), payload,
                publicKey.toJSONString().getBytes(StandardCharsets.UTF_8)));
        put("jwt.hs256Modulus", hs256(with(header, "alg", "HS256"), payload, publicKey.getModulus().decode()));
        put("jwt.hugeKid", withSignature(with(header, "kid", "k".repeat(3000)), payload, parts[2]));
        put("jwt.kidTraversal", withSignature(with(header, "kid", "../../../../dev/null"), payload, parts[2]));
        put("jwt.kidUnknown", withSignature(with(header, "kid", "no-such-key"), payload, parts[2]));
        KeyPair attacker = rsa();
        put("jwt.jku", rs256(with(header, "jku", "http://127.0.0.1:1/evil/jwks.json"), payload, attacker));
        put("jwt.x5u", rs256(with(header, "x5u", "http://127.0.0.1:1/evil/cert.pem"), payload, attacker));
        ObjectNode embedded = header.deepCopy();
        embedded.set("jwk", json.readTree(new RSAKey.Builder((java.security.interfaces.RSAPublicKey) attacker.getPublic())
                .keyID(header.path("kid").asText()).build().toJSONString()));
        put("jwt.jwkEmbedded", rs256(embedded, payload, attacker));
        ObjectNode x5c = header.deepCopy();
        x5c.putArray("x5c").add(Base64.getEncoder().encodeToString(attacker.getPublic().getEncoded()));
        put("jwt.x5cEmbedded", rs256(x5c, payload, attacker));
        ObjectNode nested = json.createObjectNode().put("alg", "none").put("cty", "JWT");
        put("jwt.nestedNone", URL.encodeToString(json.writeValueAsBytes(nested)) + "."
                + URL.encodeToString(jwt.getBytes(StandardCharsets.US_ASCII)) + ".");
        ObjectNode nestedHs = json.createObjectNode().put("alg", "HS256").put("cty", "JWT");
        put("jwt.nestedHs256", URL.encodeToString(json.writeValueAsBytes(nestedHs)) + "."
                + URL.encodeToString(jwt.getBytes(StandardCharsets.US_ASCII)) + "."
                + URL.encodeToString(hmac(pem, URL.encodeToString(json.writeValueAsBytes(nestedHs)) + "."
                + URL.encodeToString(jwt.getBytes(StandardCharsets.US_ASCII)))));
        put("jwt.expString", withSignature(header, with(payload, "exp", "never"), parts[2]));
        ObjectNode huge = payload.deepCopy();
        huge.put("exp", new java.math.BigInteger("9".repeat(40)));
        put("jwt.expHuge", withSignature(header, huge, parts[2]));
        ObjectNode aud = payload.deepCopy();
        aud.putObject("aud").put("renku", true);
        put("jwt.audObject", withSignature(header, aud, parts[2]));
        ObjectNode sub = payload.deepCopy();
        sub.put("sub", 12345);
        put("jwt.subNumber", withSignature(header, sub, parts[2]));
        ObjectNode iss = payload.deepCopy();
        iss.putArray("iss").add(issuer).add("https://evil.example");
        put("jwt.issArray", withSignature(header, iss, parts[2]));
        ObjectNode scope = payload.deepCopy();
        scope.putArray("scope").addObject().put("read", "*");
        put("jwt.scopeArray", withSignature(header, scope, parts[2]));
        ObjectNode nbf = payload.deepCopy();
        nbf.put("nbf", 4_000_000_000L);
        put("jwt.nbfFuture", withSignature(header, nbf, parts[2]));
        put("jwt.tamperedSig", parts[0] + "." + parts[1] + "." + flip(parts[2], 10));
        put("jwt.tamperedPayload", withSignature(header, with(payload, "preferred_username", "admin"), parts[2]));
        String[] id = idToken.split("\\.");
        put("jwt.swappedPayload", parts[0] + "." + id[1] + "." + parts[2]);
        put("jwt.idToken", idToken);
        put("jwt.refreshToken", refreshToken);
        put("jwt.truncated", parts[0] + "." + parts[1]);
        put("jwt.fourParts", jwt + ".AAAA");
        put("jwt.emptyParts", "..");
        put("jwt.jweShape", URL.encodeToString("{\"alg\":\"dir\",\"enc\":\"A256GCM\"}".getBytes(StandardCharsets.UTF_8))
                + "..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA");
        ObjectNode crit = header.deepCopy();
        crit.putArray("crit").add("evil");
        crit.put("evil", true);
        put("jwt.critUnknown", withSignature(crit, payload, parts[2]));
        put("jwt.algUnknown", withSignature(with(header, "alg", "XS999"), payload, parts[2]));
        put("jwt.headerNotJson", URL.encodeToString("not json".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + "."
                + parts[2]);
        put("jwt.payloadNotJson", parts[0] + "." + URL.encodeToString("[1,2".getBytes(StandardCharsets.UTF_8)) + "."
                + parts[2]);
        put("jwt.headerArray", URL.encodeToString("[\"RS256\"]".getBytes(StandardCharsets.UTF_8)) + "." + parts[1]
                + "." + parts[2]);
        put("jwt.b64Padded", parts[0] + "==." + parts[1] + "." + parts[2]);
        put("jwt.zipDef", withSignature(with(header, "zip", "DEF"), payload, parts[2]));
        for (String name : new String[] {"none", "hs256Pem", "jwkEmbedded", "tamperedSig"}) {
            put("basic." + name, Base64.getEncoder().encodeToString(("x:" + values.get("jwt." + name))
                    .getBytes(StandardCharsets.UTF_8)));
        }

        ObjectNode logout = json.createObjectNode().put("iss", issuer).put("aud", payload.path("azp").asText("renku"))
                .put("iat", System.currentTimeMillis() / 1000).put("jti", URL.encodeToString(bytes(12)))
                .put("sid", payload.path("sid").asText("x"));
        logout.putObject("events").putObject(LOGOUT_EVENT);
        put("logout.none", unsigned(with(header, "alg", "none"), logout, ""));
        put("logout.hs256Pem", hs256(with(header, "alg", "HS256"), logout, pem));
        put("logout.tampered", withSignature(header, logout, parts[2]));
        put("logout.eventsString", withSignature(header, with(logout, "events", LOGOUT_EVENT), parts[2]));
        put("logout.withNonce", withSignature(header, with(logout, "nonce", "n"), parts[2]));
    }

    private RSAKey issuerKey(String issuer, String kid) throws Exception {
        HttpResponse<String> certs = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(
                HttpRequest.newBuilder(URI.create(issuer + "/protocol/openid-connect/certs")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return JWKSet.parse(certs.body()).getKeyByKeyId(kid).toRSAKey();
    }

    private static ObjectNode with(ObjectNode node, String name, String value) {
        ObjectNode copy = node.deepCopy();
        copy.put(name, value);
        return copy;
    }

    private String unsigned(JsonNode header, JsonNode payload, String signature) throws Exception {
        return URL.encodeToString(json.writeValueAsBytes(header)) + "." + URL.encodeToString(json.writeValueAsBytes(
                payload)) + "." + signature;
    }

    private String withSignature(JsonNode header, JsonNode payload, String signature) throws Exception {
        return unsigned(header, payload, signature);
    }

    private String hs256(JsonNode header, JsonNode payload, byte[] key) throws Exception {
        String input = unsigned(header, payload, "");
        input = input.substring(0, input.length() - 1);
        return input + "." + URL.encodeToString(hmac(key, input));
    }

    private String rs256(JsonNode header, JsonNode payload, KeyPair key) throws Exception {
        String input = unsigned(with((ObjectNode) header, "alg", "RS256"), payload, "");
        input = input.substring(0, input.length() - 1);
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(key.getPrivate());
        signer.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + URL.encodeToString(signer.sign());
    }

    private static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static byte[] hmac(byte[] key, String text) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(text.getBytes(StandardCharsets.US_ASCII));
    }

    private byte[] bytes(int n) {
        byte[] out = new byte[n];
        random.nextBytes(out);
        return out;
    }

    /** {@code text} with the base64url character at {@code at} replaced by another one. */
    private static String flip(String text, int at) {
        char c = text.charAt(at);
        return text.substring(0, at) + (c == 'A' ? 'B' : 'A') + text.substring(at + 1);
    }
}

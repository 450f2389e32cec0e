package io.renku.gateway.websocket;

import io.renku.gateway.errors.ErrorKind;
import io.renku.gateway.errors.GatewayException;
import io.renku.gateway.model.Secret;
import io.renku.gateway.proxy.IdentityAssertions;
import io.renku.gateway.proxy.RequestHeaderPolicy;
import io.renku.gateway.proxy.SessionCookies;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The headers of the gateway's own handshake with the upstream, from the browser's handshake. The HTTP proxy's rules
 * apply unchanged ({@link RequestHeaderPolicy}, {@link SessionCookies}): a client's {@code Authorization},
 * {@code Renku-Auth-*}, {@code Gitlab-Access-Token*} and {@code X-Forwarded-*} never pass, because the upstream trusts
 * them as the gateway's word, and the gateway's session cookie never leaves it. The {@code Sec-WebSocket-*} headers
 * belong to the browser's hop: the upstream hop gets its own key from the JDK client, and the offered subprotocols
 * are passed separately. The caller's validated access token is injected as {@code Authorization: Bearer}, and the
 * gateway-signed identity as {@code Renku-Auth-Identity} when the deployment issues one, as on proxied HTTP requests.
 */
public final class HandshakeHeaders {
    /** The only WebSocket version there is (RFC 6455 §4.1). */
    static final String VERSION = "13";

    private HandshakeHeaders() {
    }

    /**
     * True when an {@code Upgrade} token merely mentions WebSocket ({@code websocketx}, {@code WebSocket/13}): a request
     * that is not a proper handshake (a POST, or such a token) but that a lenient container (Undertow) would still
     * upgrade, after this gateway had not judged it as one.
     */
    public static boolean mentionsWebSocket(List<String> upgradeValues) {
        for (String value : upgradeValues) {
            if (value.toLowerCase(Locale.ROOT).contains("websocket")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Refuses a browser handshake the container would refuse anyway, before the gateway dials the upstream for it:
     * otherwise every junk handshake costs an upstream WebSocket that is opened only to be aborted, and the browser
     * gets the container's empty 426 or HTML 400 instead of a problem. One {@code Sec-WebSocket-Version: 13} (else
     * 426 naming the version, RFC 6455 §4.4) and one {@code Sec-WebSocket-Key} that is base64 of 16 bytes (else 400).
     */
    public static void requireValid(List<String> versions, List<String> keys) {
        if (versions.size() != 1 || !VERSION.equals(versions.get(0).trim())) {
            throw new GatewayException(ErrorKind.UPGRADE_REQUIRED, "This endpoint speaks WebSocket version 13 (RFC "
                    + "6455): send one Sec-WebSocket-Version: 13", null, Map.of("Sec-WebSocket-Version", VERSION));
        }
        byte[] key = null;
        if (keys.size() == 1) {
            try {
                key = java.util.Base64.getDecoder().decode(keys.get(0).trim());
            } catch (IllegalArgumentException notBase64) {
                key = null;
            }
        }
        if (key == null || key.length != 16) {
            throw GatewayException.badRequest("A WebSocket handshake needs one Sec-WebSocket-Key: base64 of 16 random "
                    + "bytes (RFC 6455 §4.1)");
        }
    }

    /**
     * @param client the browser's headers (name to values, in order)
     * @param forwarded {@code X-Forwarded-For}, {@code -Proto}, {@code -Host} and {@code X-Request-Id} as the gateway
     *     saw them; null values are left out
     */
    public static Map<String, List<String>> forUpstream(Map<String, List<String>> client, SessionCookies cookies,
            Map<String, String> forwarded, Secret accessToken) {
        return forUpstream(client, cookies, forwarded, Optional.of(Objects.requireNonNull(accessToken, "accessToken")),
                Optional.empty());
    }

    /**
     * As above, with the caller's access token when it has one, and the gateway-signed identity assertion
     * ({@code Renku-Auth-Identity}) when the deployment issues them; a client's own {@code Renku-Auth-Identity} never
     * passes (it is a {@code Renku-Auth-*} header).
     */
    public static Map<String, List<String>> forUpstream(Map<String, List<String>> client, SessionCookies cookies,
            Map<String, String> forwarded, Optional<Secret> accessToken, Optional<String> identityAssertion) {
        List<String> connection = client.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("Connection"))
                .flatMap(e -> e.getValue().stream()).toList();
        RequestHeaderPolicy policy = RequestHeaderPolicy.forConnectionHeaders(connection);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        client.forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!policy.forwards(name) || lower.startsWith("sec-websocket-") || lower.equals("expect")) {
                return;
            }
            List<String> kept = new ArrayList<>();
            for (String value : values) {
                String v = lower.equals("cookie") ? cookies.withoutSessionCookie(value) : value;
                if (v != null) {
                    kept.add(v);
                }
            }
            if (!kept.isEmpty()) {
                headers.put(name, List.copyOf(kept));
            }
        });
        forwarded.forEach((name, value) -> {
            if (value != null) {
                headers.put(name, List.of(value));
            }
        });
        accessToken.ifPresent(token -> headers.put("Authorization", List.of("Bearer " + token.reveal())));
        identityAssertion.ifPresent(jwt -> headers.put(IdentityAssertions.HEADER, List.of(jwt)));
        return headers;
    }

    /** The subprotocols the browser offered ({@code Sec-WebSocket-Protocol}, comma-separated, possibly repeated). */
    public static List<String> offeredSubprotocols(List<String> values) {
        List<String> protocols = new ArrayList<>();
        for (String value : values) {
            for (String token : value.split(",")) {
                String t = token.trim();
                if (!t.isEmpty()) {
                    protocols.add(t);
                }
            }
        }
        return List.copyOf(protocols);
    }
}

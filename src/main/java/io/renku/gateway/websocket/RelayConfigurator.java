package io.renku.gateway.websocket;

import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;

/**
 * Answers the browser with the subprotocol the upstream chose. The container cannot negotiate it itself: the choice is
 * the upstream's, made in the gateway's own handshake with it, which has happened by the time this runs.
 */
final class RelayConfigurator extends ServerEndpointConfig.Configurator {
    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        if (request.getUserPrincipal() instanceof UpstreamSocket upstream && !upstream.subprotocol().isEmpty()) {
            response.getHeaders().put(HandshakeRequest.SEC_WEBSOCKET_PROTOCOL, List.of(upstream.subprotocol()));
        }
    }
}

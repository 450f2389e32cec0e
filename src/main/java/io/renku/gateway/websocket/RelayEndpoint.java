package io.renku.gateway.websocket;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;

/**
 * The browser's half of a relayed WebSocket, one instance per connection (the container makes it). Messages are
 * relayed as the container delivers them, in parts ({@link MessageHandler.Partial}), so a large message never has to
 * fit a buffer and text and binary both pass unchanged. The upstream half arrives as the session's user principal
 * (see {@link UpstreamSocket} for why); a session without one was not admitted by {@link WebSocketUpgradeFilter} and
 * is closed with 1008.
 */
public final class RelayEndpoint extends Endpoint {
    private static final Logger LOG = System.getLogger(RelayEndpoint.class.getName());

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        if (!(session.getUserPrincipal() instanceof UpstreamSocket upstream)) {
            try {
                session.close(new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "Not admitted"));
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "closing an unadmitted WebSocket failed: " + e);
            }
            return;
        }
        session.addMessageHandler(String.class, (MessageHandler.Partial<String>) upstream::sendText);
        session.addMessageHandler(ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) upstream::sendBinary);
        upstream.attach(session);
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        if (session.getUserPrincipal() instanceof UpstreamSocket upstream) {
            upstream.clientClosed(reason.getCloseCode().getCode(), reason.getReasonPhrase());
        }
    }

    @Override
    public void onError(Session session, Throwable error) {
        // the container closes the session next (onClose, usually 1006), which closes the upstream
        LOG.log(Level.DEBUG, "WebSocket error on the browser's side: " + error.getClass().getName());
    }
}

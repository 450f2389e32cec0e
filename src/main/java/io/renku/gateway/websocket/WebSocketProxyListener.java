package io.renku.gateway.websocket;

import io.renku.gateway.config.RevproxySettings;
import io.renku.gateway.web.GatewayContext;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.time.Duration;

/**
 * Registers the {@code /ui-server/ws} relay with the container's Jakarta WebSocket server and builds the
 * {@link WebSocketRelay} that connects to the upstream. Programmatic rather than {@code @ServerEndpoint}, so the
 * endpoint exists only when this listener runs (after {@code GatewayContextListener}, whose settings it reads: its
 * {@code <listener>} must come later in web.xml) and the path lives in one constant.
 *
 * <p>Why the container's Jakarta WebSocket server (and the JDK's WebSocket client upstream) rather than
 * {@code HttpServletRequest.upgrade} with raw frame relaying: both sides are then non-blocking, so an idle socket holds
 * no thread (a raw relay needs a thread per direction per socket, or a hand-written non-blocking pump), and RFC 6455
 * framing, masking, fragmentation, ping and close handling come from implementations that are already tested. The
 * price is that messages are re-framed per hop instead of copied byte for byte, and that the caller reaches the
 * handshake through the user principal (see {@link UpstreamSocket}).
 */
public final class WebSocketProxyListener implements ServletContextListener {
    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext servletContext = event.getServletContext();
        RevproxySettings revproxy = GatewayContext.from(servletContext).settings().revproxy();
        if (!(servletContext.getAttribute(ServerContainer.class.getName()) instanceof ServerContainer container)) {
            throw new IllegalStateException("The container offers no Jakarta WebSocket server (no "
                    + ServerContainer.class.getName() + " context attribute): " + WebSocketRelay.PATH
                    + " cannot be proxied");
        }
        WebSocketRelay relay = new WebSocketRelay(revproxy.uiServerWebSocket(),
                Duration.ofMillis(revproxy.connectTimeoutMillis()), Duration.ofMillis(revproxy.readTimeoutMillis()));
        try {
            container.addEndpoint(ServerEndpointConfig.Builder.create(RelayEndpoint.class, WebSocketRelay.PATH)
                    .configurator(new RelayConfigurator()).build());
        } catch (DeploymentException e) {
            relay.close();
            throw new IllegalStateException("Cannot register the WebSocket relay at " + WebSocketRelay.PATH, e);
        }
        servletContext.setAttribute(WebSocketRelay.ATTRIBUTE, relay);
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (event.getServletContext().getAttribute(WebSocketRelay.ATTRIBUTE) instanceof WebSocketRelay relay) {
            relay.close();
        }
    }
}

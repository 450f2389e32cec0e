package io.renku.gateway.login;

import io.renku.gateway.errors.GatewayException;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * Jersey's servlet for the login resources, with one check in front: a {@code Content-Type} or {@code Accept} that
 * does not parse is refused here with a body that says so. Jersey parses the first while it builds its request, before
 * any filter, resource or exception mapper of the application runs, and the second while it writes the response; it
 * answers either failure with a bare, empty 400. {@code backchannel-logout}
 * gets the body its spec asks for ({@code {"error":"invalid_request"}}); every other path the gateway's problem.
 */
public final class AuthServlet extends ServletContainer {
    private static final long serialVersionUID = 1L;

    public AuthServlet(AuthApplication application) {
        super(application);
    }

    @Override
    public void service(HttpServletRequest request, HttpServletResponse response) throws ServletException,
            IOException {
        String contentType = request.getHeader("Content-Type");
        String accept = request.getHeader("Accept");
        String unreadable = contentType != null && !parses(contentType) ? "Content-Type"
                : accept != null && !acceptParses(accept) ? "Accept" : null;
        if (unreadable != null) {
            if (request.getRequestURI().endsWith("/backchannel-logout")) {
                byte[] body = ("{\"error\":\"invalid_request\",\"error_description\":"
                        + "\"the " + unreadable + " header could not be read\"}").getBytes(StandardCharsets.UTF_8);
                response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
                response.setHeader("Cache-Control", "no-store");
                response.setContentType(MediaType.APPLICATION_JSON);
                response.setContentLength(body.length);
                response.getOutputStream().write(body);
                return;
            }
            throw GatewayException.badRequest("The " + unreadable + " header could not be read");
        }
        super.service(request, response);
    }

    private static boolean acceptParses(String accept) {
        for (String range : accept.split(",")) {
            String trimmed = range.trim();
            if (!trimmed.isEmpty() && !trimmed.equals("*") && !parses(trimmed)) {
                return false;
            }
        }
        return true;
    }

    private static boolean parses(String contentType) {
        try {
            MediaType.valueOf(contentType);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}

package io.renku.gateway.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** {@code GET /version}: {@code {"version": …, "commit": …}} as the build wrote them (pom.xml, version-file). */
public final class VersionServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private transient byte[] body;

    @Override
    public void init() {
        Properties build = new Properties();
        try (InputStream in = VersionServlet.class.getResourceAsStream("/io/renku/gateway/version.properties")) {
            if (in != null) {
                build.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read version.properties", e);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("version", build.getProperty("version", "unknown"));
        fields.put("commit", build.getProperty("commit", "unknown"));
        try {
            body = new ObjectMapper().writeValueAsString(fields).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(200);
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}

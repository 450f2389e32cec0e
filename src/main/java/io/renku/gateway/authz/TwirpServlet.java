package io.renku.gateway.authz;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.renku.gateway.auth.Callers;
import io.renku.gateway.authz.rpc.AllowReply;
import io.renku.gateway.authz.rpc.AllowRequest;
import io.renku.gateway.model.Identity;
import io.renku.gateway.web.GatewayContext;
import io.renku.gateway.web.RequestFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * {@code POST /twirp/authx.rpc.Ability/Allowed}, Twirp v7: the request and reply of {@code src/main/proto} as
 * {@code application/json} (proto3 JSON mapping, by protobuf-java-util's {@link JsonFormat}; unknown fields are
 * ignored as Twirp's own servers do, and {@code result} is always written) or {@code application/protobuf} (the
 * classes protoc generates at build time). Errors are Twirp's JSON body {@code {"code","msg","meta"}} with the status
 * Twirp fixes per code: a wrong method, path or content type is {@code bad_route} (404), a body that does not decode
 * {@code malformed} (400). The decision itself is {@link AbilityService}'s. Mapped at {@code /twirp/*} in web.xml,
 * behind the caller filter, which leaves a refused {@code Authorization} header for this servlet to answer.
 */
public final class TwirpServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = System.getLogger(TwirpServlet.class.getName());
    static final String ROUTE = "/authx.rpc.Ability/Allowed";
    private static final int MAX_BODY = 64 * 1024;
    private static final String JSON = "application/json";
    private static final String PROTOBUF = "application/protobuf";

    private final transient ObjectMapper errors = new ObjectMapper();
    private final transient JsonFormat.Parser parser = JsonFormat.parser().ignoringUnknownFields();
    private final transient JsonFormat.Printer printer = JsonFormat.printer().alwaysPrintFieldsWithNoPresence()
            .omittingInsignificantWhitespace();
    private transient AbilityService ability;
    private transient Authorizer authorizer;

    @Override
    public void init() {
        GatewayContext context = GatewayContext.from(getServletContext());
        authorizer = context.authorizer();
        ability = new AbilityService(authorizer, context.bearer(),
                !context.settings().tokens().introspection().isEmpty());
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String requestId = RequestFilter.requestIdOf(request);
        try {
            boolean json = route(request);
            AllowRequest in = decode(json, body(request));
            Identity caller = Callers.of(request);
            AbilityService.Caller asker = new AbilityService.Caller(caller, Callers.credentialFailure(request),
                    Callers.storeFailure(request), () -> authorizer.grantsOf(request, caller));
            boolean result = ability.allowed(requestId, asker, in.getSubject(), in.getPermission(), in.getResource());
            AllowReply reply = AllowReply.newBuilder().setResult(result).build();
            byte[] bytes = json ? printer.print(reply).getBytes(StandardCharsets.UTF_8) : reply.toByteArray();
            response.setStatus(200);
            response.setContentType(json ? JSON : PROTOBUF);
            response.setHeader("Cache-Control", "no-store");
            response.setContentLength(bytes.length);
            response.getOutputStream().write(bytes);
        } catch (TwirpError e) {
            write(response, e);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "Request " + requestId + ": Ability/Allowed failed: " + e.getClass().getName(), e);
            write(response, new TwirpError(TwirpError.Code.INTERNAL,
                    "the decision failed; quote request id " + requestId, java.util.Map.of()));
        }
    }

    /** Checks method, path and content type; whether the body is JSON (else protobuf). */
    private static boolean route(HttpServletRequest request) {
        String path = request.getPathInfo() == null ? "" : request.getPathInfo();
        String route = printable(request.getMethod() + " " + request.getServletPath() + path);
        if (!"POST".equals(request.getMethod())) {
            throw TwirpError.badRoute("unsupported method " + printable(request.getMethod()) + " (only POST is "
                    + "allowed)", route);
        }
        if (!ROUTE.equals(path)) {
            throw TwirpError.badRoute("no handler for path " + printable(request.getServletPath() + path)
                    + " (the one method is " + Callers.TWIRP_PATH + ROUTE + ")", route);
        }
        String type = request.getContentType() == null ? ""
                : request.getContentType().split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return switch (type) {
            case JSON -> true;
            case PROTOBUF -> false;
            default -> throw TwirpError.badRoute("unexpected Content-Type: '" + printable(type) + "' (send "
                    + JSON + " or " + PROTOBUF + ")", route);
        };
    }

    private AllowRequest decode(boolean json, byte[] body) {
        try {
            if (!json) {
                return AllowRequest.parseFrom(body);
            }
            AllowRequest.Builder builder = AllowRequest.newBuilder();
            parser.merge(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString(), builder);
            return builder.build();
        } catch (InvalidProtocolBufferException e) {
            // Not the parser's message: it may quote the body, and the body may hold a token.
            throw TwirpError.malformed("the body could not be decoded as " + (json ? "proto3 JSON" : "protobuf")
                    + " AllowRequest (subject, permission and resource are strings)");
        } catch (CharacterCodingException e) {
            throw TwirpError.malformed("the JSON body is not UTF-8");
        }
    }

    private static byte[] body(HttpServletRequest request) throws IOException {
        try (InputStream in = request.getInputStream()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw TwirpError.malformed("the body is larger than " + MAX_BODY + " bytes");
            }
            return bytes;
        }
    }

    private void write(HttpServletResponse response, TwirpError error) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        ObjectNode body = errors.createObjectNode();
        body.put("code", error.code().wire);
        body.put("msg", error.getMessage());
        ObjectNode meta = body.putObject("meta");
        error.meta().forEach(meta::put);
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        response.setStatus(error.code().status);
        response.setContentType(JSON);
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /** At most 200 printable characters of client-chosen text, so it cannot forge lines or grow a message. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(200).forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return out.toString();
    }
}

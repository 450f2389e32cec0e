package io.renku.gateway.session;

import io.renku.gateway.config.SessionSettings;
import io.renku.gateway.model.CookiePairs;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Enumeration;
import java.util.Objects;
import java.util.Optional;
import org.springframework.session.web.http.CookieSerializer.CookieValue;
import org.springframework.session.web.http.DefaultCookieSerializer;

/**
 * The stable id of an anonymous caller ({@code Renku-Auth-Anon-Id}), carried by a signed cookie of its own instead of
 * a stored session: {@code <session cookie name>_anon=<id>.<HMAC>}, signed with the session cookie's keys under a
 * purpose of its own ({@link SessionCookieCodec#forAnonymousIds}). A caller that returns the cookie keeps its id; one
 * that never returns cookies (a script, a crawler) gets a fresh id on each request and costs no Redis at all, where a
 * stored anonymous session used to cost a write per request and let a crawler fill Redis.
 *
 * <p>The cookie has the session cookie's attributes ({@code HttpOnly}, {@code Secure}, {@code SameSite=Lax},
 * {@code Path=/}, the same {@code Max-Age}); its name contains the session cookie's name, so the proxy keeps it from
 * upstreams and refuses to let an upstream set it, exactly as it does for the session cookie. The id grants nothing:
 * it only names an anonymous caller consistently, and its MAC keeps a client from choosing someone else's.
 */
public final class AnonymousIds {
    private static final String RESOLVED = AnonymousIds.class.getName() + ".resolved";

    private final SessionCookieCodec codec;
    private final String cookieName;
    private final DefaultCookieSerializer cookies;

    public AnonymousIds(SessionCookieCodec codec, SessionSettings settings) {
        this.codec = Objects.requireNonNull(codec, "codec");
        this.cookieName = cookieName(settings);
        this.cookies = SignedCookieSessionIdResolver.serializer(cookieName, settings);
    }

    public static AnonymousIds of(SessionSettings settings) {
        return new AnonymousIds(SessionCookieCodec.forAnonymousIds(settings), settings);
    }

    /** The anonymous-id cookie's name: the session cookie's effective name (with its prefix) and {@code _anon}. */
    public static String cookieName(SessionSettings settings) {
        return settings.effectiveCookieName() + "_anon";
    }

    /** The id a valid anonymous-id cookie of this request carries (or the one this request was given), if any. */
    public Optional<String> presented(HttpServletRequest request) {
        if (request.getAttribute(RESOLVED) instanceof String id) {
            return Optional.of(id);
        }
        for (Enumeration<String> headers = request.getHeaders("Cookie"); headers != null
                && headers.hasMoreElements(); ) {
            for (CookiePairs.Pair pair : CookiePairs.of(headers.nextElement())) {
                if (pair.name().equals(cookieName)) {
                    Optional<String> id = codec.decode(pair.value());
                    if (id.isPresent()) {
                        return id;
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The caller's anonymous id: the one its cookie carries, or a new one, which is then set as the cookie on
     * {@code response} (once per request, however often this is asked).
     */
    public String resolve(HttpServletRequest request, HttpServletResponse response) {
        Optional<String> presented = presented(request);
        if (presented.isPresent()) {
            return presented.get();
        }
        String id = SessionIds.randomToken(16);
        request.setAttribute(RESOLVED, id);
        if (!response.isCommitted()) {
            cookies.writeCookieValue(new CookieValue(request, response, codec.encode(id)));
        }
        return id;
    }
}

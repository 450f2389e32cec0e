package io.renku.gateway.session;

import io.renku.gateway.config.SessionSettings;
import io.renku.gateway.model.CookiePairs;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import org.springframework.session.web.http.CookieSerializer.CookieValue;
import org.springframework.session.web.http.DefaultCookieSerializer;
import org.springframework.session.web.http.HttpSessionIdResolver;

/**
 * Carries the session id in the gateway's cookie, signed: the value is {@code <id>.<HMAC>} (see
 * {@link SessionCookieCodec}), so a forged or tampered cookie counts as no cookie before Redis is asked. The cookie is
 * {@code HttpOnly}, {@code Secure} (unless switched off for plain-HTTP development), {@code SameSite=Lax} (sent on
 * top-level navigations such as the login callback, not on cross-site sub-requests), {@code Path=/} with no
 * {@code Domain}, so it may carry the {@code __Host-} prefix. Spring's {@link DefaultCookieSerializer} writes the
 * header; it is read with {@link CookiePairs}, the same reading the proxy uses to strip the cookie before forwarding
 * (the container's own cookie parser is lenient in ways of its own, and the two must agree on which pair is the
 * session cookie).
 */
public final class SignedCookieSessionIdResolver implements HttpSessionIdResolver {
    private final SessionCookieCodec codec;
    private final DefaultCookieSerializer cookies;
    private final String cookieName;

    public SignedCookieSessionIdResolver(SessionCookieCodec codec, SessionSettings settings) {
        this.codec = Objects.requireNonNull(codec, "codec");
        this.cookieName = settings.effectiveCookieName();
        this.cookies = serializer(cookieName, settings);
    }

    /**
     * How the gateway writes its cookies (the session's and the anonymous id's): {@code HttpOnly}, {@code Secure}
     * unless switched off, {@code SameSite=Lax}, {@code Path=/}, no {@code Domain}, the value as it is.
     */
    static DefaultCookieSerializer serializer(String cookieName, SessionSettings settings) {
        DefaultCookieSerializer cookies = new DefaultCookieSerializer();
        cookies.setCookieName(cookieName);
        cookies.setCookiePath("/");
        cookies.setUseBase64Encoding(false);
        cookies.setUseHttpOnlyCookie(true);
        cookies.setUseSecureCookie(settings.cookieSecure());
        cookies.setSameSite("Lax");
        cookies.setCookieMaxAge((int) Math.min(Integer.MAX_VALUE, settings.cookieMaxAgeSeconds()));
        return cookies;
    }

    @Override
    public List<String> resolveSessionIds(HttpServletRequest request) {
        List<String> ids = new ArrayList<>(1);
        for (Enumeration<String> headers = request.getHeaders("Cookie"); headers != null
                && headers.hasMoreElements(); ) {
            for (CookiePairs.Pair pair : CookiePairs.of(headers.nextElement())) {
                if (pair.name().equals(cookieName)) {
                    codec.decode(pair.value()).ifPresent(ids::add);
                }
            }
        }
        return ids;
    }

    @Override
    public void setSessionId(HttpServletRequest request, HttpServletResponse response, String sessionId) {
        cookies.writeCookieValue(new CookieValue(request, response, codec.encode(sessionId)));
    }

    @Override
    public void expireSession(HttpServletRequest request, HttpServletResponse response) {
        cookies.writeCookieValue(new CookieValue(request, response, ""));
    }
}

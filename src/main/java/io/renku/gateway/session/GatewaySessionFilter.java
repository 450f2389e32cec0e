package io.renku.gateway.session;

import io.renku.gateway.web.GatewayContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;
import org.springframework.session.web.http.SessionRepositoryFilter;

/**
 * spring-session's {@link SessionRepositoryFilter} for {@code web.xml}, which needs a no-argument constructor: it
 * builds the real filter in {@code init} from the deployment's repository (Redis, or memory on a single node) and the
 * signed-cookie resolver, and hands every request to it. From here on {@code request.getSession()} is the stored
 * session, committed in the filter's {@code finally}. It must sit right after the request filter (which renders a
 * Redis failure as 503) and before anything that reads the caller.
 */
public final class GatewaySessionFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private transient SessionRepositoryFilter<? extends Session> delegate;

    @Override
    public void init() throws ServletException {
        GatewayContext context = GatewayContext.from(getServletContext());
        delegate = build(context.sessions(), context.sessionIds());
        delegate.init(getFilterConfig());
    }

    private static <S extends Session> SessionRepositoryFilter<S> build(SessionRepository<S> repository,
            SignedCookieSessionIdResolver ids) {
        SessionRepositoryFilter<S> filter = new SessionRepositoryFilter<>(repository);
        filter.setHttpSessionIdResolver(ids);
        return filter;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        delegate.doFilter(request, response, chain);
    }
}

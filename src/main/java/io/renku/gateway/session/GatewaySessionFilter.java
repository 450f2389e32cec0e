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
 * takes the deployment's repository (Redis, or memory on a single node) and the signed-cookie resolver in
 * {@code init}, and runs each request through a {@link SessionRepositoryFilter} over a {@link RequestScopedRepository}
 * (cheap to build: a few fields), so one request reads its session from Redis at most once. From here on {@code request.getSession()} is the stored
 * session, committed in the filter's {@code finally}. It must sit right after the request filter (which renders a
 * Redis failure as 503) and before anything that reads the caller.
 */
public final class GatewaySessionFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private transient SessionRepository<? extends Session> repository;
    private transient SignedCookieSessionIdResolver ids;

    @Override
    public void init() {
        GatewayContext context = GatewayContext.from(getServletContext());
        repository = context.sessions();
        ids = context.sessionIds();
    }

    private <S extends Session> SessionRepositoryFilter<S> perRequest(SessionRepository<S> shared) {
        SessionRepositoryFilter<S> filter = new SessionRepositoryFilter<>(new RequestScopedRepository<>(shared));
        filter.setHttpSessionIdResolver(ids);
        return filter;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        perRequest(repository).doFilter(request, response, chain);
    }
}

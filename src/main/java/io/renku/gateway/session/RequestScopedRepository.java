package io.renku.gateway.session;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;

/**
 * The deployment's repository as seen by one request: a session looked up once is not looked up again. spring-session
 * commits a session twice per request (when the response is committed, and again in its {@code finally}) and the
 * second commit asks for the requested session anew; without this, every authenticated request would read Redis
 * twice. Saves and deletes go straight through and update what this request remembers.
 */
final class RequestScopedRepository<S extends Session> implements SessionRepository<S> {
    private final SessionRepository<S> repository;
    private final Map<String, S> found = new HashMap<>(2);

    RequestScopedRepository(SessionRepository<S> repository) {
        this.repository = Objects.requireNonNull(repository, "repository");
    }

    @Override
    public S createSession() {
        return repository.createSession();
    }

    @Override
    public void save(S session) {
        repository.save(session);
        found.put(session.getId(), session);
    }

    @Override
    public S findById(String id) {
        if (found.containsKey(id)) {
            return found.get(id);
        }
        S session = repository.findById(id);
        found.put(id, session);
        return session;
    }

    @Override
    public void deleteById(String id) {
        found.put(id, null);
        repository.deleteById(id);
    }
}

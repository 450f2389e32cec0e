package io.renku.gateway.web;

/** One dependency that {@code /ready} asks. {@link #probe()} throws when the dependency does not answer. */
public interface ReadinessCheck {
    String name();

    void probe() throws Exception;
}

package io.renku.gateway.authz;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The policy file ({@code authz.policyFile}), reloaded when it changes. The file is looked at (one {@code stat}) at
 * most once per check interval, by whichever request comes first: no watcher thread to start and stop, and a
 * deployment on a network file system (where watch events are unreliable) behaves the same. A version that does not
 * parse is refused: at start it stops the deployment ({@link #load} throws); later the previous version stays in
 * force and the log has an ERROR naming the file and the problem.
 */
final class PolicyFile {
    private static final Logger LOG = System.getLogger(PolicyFile.class.getName());

    private record Version(Policy policy, Instant modified, long size) {
    }

    private final Optional<Path> path;
    private final Duration checkInterval;
    private final Clock clock;
    private volatile Version current;
    private volatile Instant nextCheck;
    /** The modification time and size of a version that was refused, so it is reported once, not every check. */
    private String refused = "";

    private PolicyFile(Optional<Path> path, Duration checkInterval, Clock clock, Version first) {
        this.path = path;
        this.checkInterval = checkInterval;
        this.clock = clock;
        this.current = first;
        this.nextCheck = clock.instant().plus(checkInterval);
    }

    /** No file: nobody has grants from a policy, and there are no deciders. */
    static PolicyFile none() {
        return new PolicyFile(Optional.empty(), Duration.ofDays(365), Clock.systemUTC(),
                new Version(Policy.EMPTY, Instant.EPOCH, 0));
    }

    /** @throws IllegalStateException when the file cannot be read or does not parse (the deployment stops) */
    static PolicyFile load(Path file, Duration checkInterval, Clock clock) {
        Objects.requireNonNull(file, "file");
        try {
            return new PolicyFile(Optional.of(file), checkInterval, clock, read(file));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("authz.policyFile " + file + " cannot be used: " + e.getMessage(), e);
        }
    }

    Policy current() {
        if (path.isPresent() && !clock.instant().isBefore(nextCheck)) {
            reloadIfChanged();
        }
        return current.policy();
    }

    private synchronized void reloadIfChanged() {
        Instant now = clock.instant();
        if (now.isBefore(nextCheck)) {
            return;
        }
        nextCheck = now.plus(checkInterval);
        Path file = path.orElseThrow();
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            String seen = attributes.lastModifiedTime() + "/" + attributes.size();
            if (attributes.lastModifiedTime().toInstant().equals(current.modified())
                    && attributes.size() == current.size() || seen.equals(refused)) {
                return;
            }
            refused = seen;
            current = read(file);
            refused = "";
            LOG.log(Level.INFO, "authz.policyFile " + file + " reloaded: " + current.policy().subjects().size()
                    + " subjects, " + current.policy().deciders().size() + " deciders");
        } catch (IOException | IllegalArgumentException e) {
            LOG.log(Level.ERROR, "authz.policyFile " + file + " was changed but cannot be used, the previous version "
                    + "stays in force: " + e.getMessage());
        }
    }

    private static Version read(Path file) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        Policy policy = Policy.parse(Files.readString(file, StandardCharsets.UTF_8));
        return new Version(policy, attributes.lastModifiedTime().toInstant(), attributes.size());
    }
}

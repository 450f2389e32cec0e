package io.renku.gateway.harness;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Stops a process and everything it started: scripts such as {@code kc.sh} start Java as a child, and stopping only
 * the script would leave the server running. Children get SIGTERM first (a clean shutdown), SIGKILL after the grace.
 */
public final class ProcessTrees {
    private ProcessTrees() {
    }

    public static void stop(ProcessHandle root, Duration grace) {
        List<ProcessHandle> all = new java.util.ArrayList<>(root.descendants().toList());
        all.add(root);
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : all) {
            CompletableFuture<ProcessHandle> exit = handle.onExit();
            try {
                exit.get(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                handle.destroyForcibly();
            } catch (ExecutionException e) {
                handle.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                handle.destroyForcibly();
            }
        }
    }
}

package dev.hostguard.agent.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Watches a policy file by polling: every interval it reads the file as the path now resolves (so an editor
 * that writes a new file and renames it over the old one, and a Kubernetes ConfigMap whose {@code ..data}
 * symlink is swapped, are both seen) and hashes its bytes; only a different hash counts as a change, so a touch
 * or a rewrite with the same content does nothing. Polling rather than a {@code WatchService}: it needs no
 * event from the directory of a symlink's target, which the ConfigMap swap replaces, and modification times
 * can repeat (two writes within the file system's granularity). A policy file is a few kilobytes: one read
 * and one SHA-256 a second.
 *
 * <p>One daemon thread, started only when a policy file is given. A change counts once two looks in a row
 * agree (see {@link #check}): it takes effect one to two intervals after it was written.
 */
public final class PolicyWatcher implements Runnable {
    /** What the watcher reports: a changed file (loaded or refused), and its ticks (for periodic work). */
    public interface Listener {
        void changed(PolicyFile loaded);

        void refused(Path path, InvalidPolicyException problems);

        default void tick() {
        }
    }

    private final Path path;
    private final Duration interval;
    private final Listener listener;
    private volatile boolean stopped;
    private String lastHash;
    /** A new content seen once: it counts when the next look finds it again (see {@link #check}). */
    private String candidate = "";

    /**
     * @param current the hash of the file as loaded at start-up
     */
    public PolicyWatcher(Path path, String current, Duration interval, Listener listener) {
        this.path = path;
        this.interval = interval;
        this.listener = listener;
        this.lastHash = current;
    }

    /** Starts the daemon thread. */
    public Thread start() {
        Thread thread = new Thread(this, "hostguard-policy-watcher");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    public void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        while (!stopped) {
            try {
                Thread.sleep(interval.toMillis()); // the polling interval, between two looks at the file
            } catch (InterruptedException e) {
                continue; // code in the service that interrupts it stops neither the watching nor the self-check
            }
            try {
                check();
                listener.tick();
            } catch (RuntimeException | Error e) {
                // never let one bad look end the watching; the next tick tries again
            }
        }
    }

    /** One look at the file; public for tests, which call it instead of waiting for the thread. */
    public void check() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            bytes = null; // gone for a moment (a rename in progress): load reports it if it stays so
        }
        String hash = bytes == null ? null : PolicyFile.sha256(bytes);
        if (hash != null && hash.equals(lastHash) || hash == null && lastHash == null) {
            candidate = "";
            return;
        }
        // Debounced: a file is loaded once two looks in a row find the same bytes, so an editor that truncates
        // and then writes, or deletes and then creates, is never caught half way (an empty file would be a valid,
        // default policy).
        if (!java.util.Objects.equals(hash, candidate)) {
            candidate = hash;
            return;
        }
        candidate = "";
        try {
            PolicyFile loaded = PolicyFile.load(path);
            lastHash = loaded.sha256();
            listener.changed(loaded);
        } catch (InvalidPolicyException e) {
            lastHash = hash; // reported once; the next change is looked at again
            listener.refused(path, e);
        }
    }

    @Override
    public String toString() {
        return "PolicyWatcher" + Arrays.asList(path, interval);
    }
}

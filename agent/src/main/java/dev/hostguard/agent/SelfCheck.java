package dev.hostguard.agent;

import dev.hostguard.agent.bootstrap.HostGuardBlockedException;
import dev.hostguard.agent.bootstrap.Hooks;
import java.io.FileInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The agent's periodic self-check (issue 14): what reflection cannot change any more ({@code SelfProtectionHooks})
 * a write through {@code sun.misc.Unsafe} at an offset found some other way still can, and a second agent can
 * retransform a hooked JDK class without our advice. Every {@link #PERIOD} this checks, once the service serves its
 * first request: on the policy watcher's ticks when a policy file is watched (no thread more), else on a daemon
 * thread of its own started then (none at start-up, and none in a JVM that serves no request):
 * <ul>
 *   <li>the facade ({@link Hooks#integrity}): the handler is the one installed, outside-request judging is what the
 *       policy in force says, no request waits for an installation;</li>
 *   <li>the handler: the policy it judges by is the one put in force last (its mode, its rules);</li>
 *   <li>HostGuard's system properties ({@code dev.hostguard.*}, {@code hostguard.*}): the agent reads none after it
 *       started (so setting one switches nothing off), but one changed is an attempt on it, and
 *       {@code dev.hostguard.agent.active} is what keeps a second installation out; compared with what they were
 *       when the first request was served;</li>
 *   <li>the hooks, with two canaries: a process start ({@code ProcessImpl.start}; once the service started a process,
 *       so {@code ProcessImpl} is loaded) and a file open ({@code FileInputStream}) of names that do not exist, inside
 *       a canary request on this thread, must reach the handler (which refuses them: nothing is started or
 *       opened).</li>
 * </ul>
 * What it finds changed is put back (the handler, the flag, the policy; hooks missing are woven again by
 * retransforming the hooked classes) and reported as one {@code tamper} event ({@code decision: detected}) per
 * change found, so an {@code Unsafe}-level tamper is seen and undone within one period. The thread ignores interrupts.
 */
final class SelfCheck implements Runnable {
    /** How often: a tamper is found within this (plus the check's own few milliseconds). */
    static final Duration PERIOD = Duration.ofSeconds(1);
    /** The rule tamper events name (and rate-limit under). */
    static final String RULE = "self-protection";
    /**
     * The request object of the canary request: never a server's, compared by identity (a string of its own rather
     * than an anonymous class: one class less at the first request).
     */
    @SuppressWarnings("StringOperationCanBeSimplified")
    static final Object CANARY = new String("hostguard-self-check-canary");
    static final int PROCESS_CANARY = 1;
    static final int FILE_CANARY = 2;
    /** What the canaries start and open: refused by the handler for the canary request only. */
    static final String CANARY_PATH = "/nonexistent-hostguard-self-check/canary";
    /** Which canaries reached the handler in the current check (this thread's only). */
    private static int reached;

    private final Guard guard;
    private final HookInstallation hooks;
    private final AtomicBoolean started = new AtomicBoolean();
    /** Checks run so far (on one thread: the self-check's, or the policy watcher's ticks). */
    private int checks;
    /** What the last check found changed and reported: reported once until it is found intact again. */
    private final List<String> reported = new ArrayList<>();
    /** HostGuard's system properties when the first request was served (before any request's code ran). */
    private final Map<String, String> ownProperties = ownProperties();

    SelfCheck(Guard guard, HookInstallation hooks) {
        this.guard = guard;
        this.hooks = hooks;
    }

    private static Map<String, String> ownProperties() {
        Map<String, String> own = new TreeMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("dev.hostguard.") || name.startsWith("hostguard.")) {
                own.put(name, System.getProperty(name));
            }
        }
        return own;
    }

    /** The refusal a canary gets from the handler, noting it reached it. */
    static HostGuardBlockedException reached(int canary) {
        reached |= canary;
        return new HostGuardBlockedException("hostguard self-check canary", RULE, "canary");
    }

    /** Starts the thread, once. */
    void start() {
        if (started.compareAndSet(false, true)) {
            Thread thread = new Thread(this, "hostguard-self-check");
            thread.setDaemon(true);
            thread.start();
        }
    }

    @Override
    public void run() {
        long next = System.nanoTime();
        while (true) {
            try {
                check();
            } catch (Throwable t) {
                guard.hookFailed("self-check", t);
            }
            next += PERIOD.toNanos();
            long left;
            while ((left = next - System.nanoTime()) > 0) {
                try {
                    Thread.sleep(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException ignored) {
                    // an interrupt does not stop the self-check
                }
            }
        }
    }

    /** One check: what it found changed (and put back); empty when intact. */
    List<String> check() {
        if (checks++ == 1) {
            selfTest();
        }
        List<String> found = new ArrayList<>();
        ActivePolicy policy = guard.policyInForce();
        boolean outside = policy.engine().guardsOutsideRequest();
        boolean escapes = guard.judgesOutsideEscapes(policy);
        int broken = Hooks.integrity(guard, outside, escapes);
        if ((broken & Hooks.HANDLER_REPLACED) != 0) {
            found.add("Hooks.handler");
        }
        if ((broken & Hooks.OUTSIDE_REQUESTS_CHANGED) != 0) {
            found.add("Hooks.outsideRequests");
        }
        if ((broken & Hooks.INSTALLING_AGAIN) != 0) {
            found.add("Hooks.installing");
        }
        if (broken != 0) {
            Hooks.restore(guard, outside, escapes);
        }
        if (!guard.policyIntact()) {
            found.add("Guard.active");
            guard.restorePolicy();
        }
        int canaries = canaries();
        if (canaries != (PROCESS_CANARY | FILE_CANARY) && (broken & Hooks.HANDLER_REPLACED) == 0) {
            found.add(missing(canaries));
            try {
                hooks.rehookAll(); // weave again whatever a retransformation took out
            } catch (Exception | LinkageError e) {
                guard.hookFailed("self-check-rehook", e);
            }
        }
        for (String change : found) {
            if (!reported.contains(change)) {
                guard.tamper(null, "self-check", change, "found changed by the self-check (every "
                        + PERIOD.toMillis() + " ms) and put back", "detected");
            }
        }
        reported.retainAll(found);
        for (String change : found) {
            if (!reported.contains(change)) {
                reported.add(change);
            }
        }
        for (String property : propertiesChanged()) { // put back: found again only when changed again
            guard.tamper(null, "system-properties", property, "a HostGuard system property changed (HostGuard reads"
                    + " none after start); found by the self-check (every " + PERIOD.toMillis() + " ms) and put back",
                    "detected");
            found.add(property);
        }
        return found;
    }

    /**
     * The self-test ({@link HookInstallation#missingRequiredSites}): one WARN line naming the required JDK hook sites
     * this JDK has no method for. Here, with the second check, a period after the first request, not at start-up: it
     * reads the class files of the JDK targets not loaded yet, about a megabyte of garbage, which at start-up pushed
     * a small service into a young collection (and a second GC thread) before its 50th answer.
     */
    private void selfTest() {
        Set<String> missing = hooks.missingRequiredSites();
        if (!missing.isEmpty()) {
            guard.hooksMissing(missing);
        }
    }

    /** HostGuard's system properties that differ from {@link #ownProperties}, each put back. */
    private List<String> propertiesChanged() {
        Map<String, String> now = ownProperties();
        if (now.equals(ownProperties)) {
            return List.of();
        }
        Set<String> names = new TreeSet<>(now.keySet());
        names.addAll(ownProperties.keySet());
        List<String> changed = new ArrayList<>();
        for (String name : names) {
            String was = ownProperties.get(name);
            if (!Objects.equals(was, now.get(name))) {
                changed.add(name);
                if (was == null) {
                    System.clearProperty(name);
                } else {
                    System.setProperty(name, was);
                }
            }
        }
        return changed;
    }

    private static String missing(int canaries) {
        return (canaries & PROCESS_CANARY) == 0 && (canaries & FILE_CANARY) == 0 ? "hooks: ProcessImpl.start, file opens"
                : (canaries & PROCESS_CANARY) == 0 ? "hooks: ProcessImpl.start" : "hooks: file opens";
    }

    /** Runs the canaries inside a canary request; which reached the handler. */
    private static int canaries() {
        reached = 0;
        Object token = Hooks.requestEnter(CANARY, null);
        try {
            // only once the JVM started a process: before, ProcessImpl may not even be loaded, and the canary would
            // load the JDK's process machinery (some 20 classes) into a service that never starts one
            if (Hooks.processStartsSeen()) {
                try {
                    new ProcessBuilder(CANARY_PATH).start().destroyForcibly(); // refused: nothing is started
                } catch (IOException expected) {
                    // the canary's refusal, or (hook missing) no such program
                }
            } else {
                reached |= PROCESS_CANARY;
            }
            try (FileInputStream in = new FileInputStream(CANARY_PATH)) {
                in.read();
            } catch (IOException expected) {
                // the same
            }
        } finally {
            Hooks.requestExit(token, null);
        }
        return reached;
    }
}

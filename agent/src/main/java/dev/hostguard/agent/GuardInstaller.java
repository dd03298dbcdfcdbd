package dev.hostguard.agent;

import dev.hostguard.agent.bootstrap.Hooks;
import dev.hostguard.agent.config.AgentOptions;
import dev.hostguard.agent.config.InvalidPolicyException;
import dev.hostguard.agent.config.PolicyFile;
import dev.hostguard.agent.config.PolicyWatcher;
import dev.hostguard.agent.context.KeyFingerprint;
import dev.hostguard.agent.event.ApplicationFrames;
import dev.hostguard.agent.event.EventJson;
import dev.hostguard.agent.metrics.AgentMetrics;
import dev.hostguard.agent.event.EventStamps;
import dev.hostguard.agent.path.PathResolver;
import dev.hostguard.agent.policy.FileAccess;
import dev.hostguard.agent.policy.HostGuardFiles;
import dev.hostguard.agent.policy.Mode;
import dev.hostguard.agent.policy.Policy;
import dev.hostguard.agent.posture.ContainerPosture;
import dev.hostguard.agent.posture.HostMounts;
import dev.hostguard.agent.posture.MountInfo;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;

/** The start-up sequence, once the options are known (see ARCHITECTURE.md). */
final class GuardInstaller {
    private GuardInstaller() {
    }

    /** How often the policy file is looked at (a change takes effect within one to two of these). */
    static final Duration POLICY_POLL = Duration.ofSeconds(1);

    /**
     * With {@code -Ddev.hostguard.debug.startup=true}, one more line gives the milliseconds of each start-up phase
     * (for measuring the start-up budget; see scripts/measure-startup.sh).
     */
    static final String DEBUG_STARTUP_PROPERTY = "dev.hostguard.debug.startup";

    /**
     * Installs the agent. On the service's main thread only what must be in place before the service's own code
     * runs: the logging and the registered transformer, so every target class the service loads from now on is
     * hooked as it loads. The rest (posture, the {@code Guard}, the warm-up, hooking the JDK classes loaded before
     * us) runs on a short-lived start-up thread when {@code inBackground}, alongside the service's
     * start, while requests wait at their entry ({@link Hooks#installing}) until it is done: no request is served
     * before every hook and the handler are in place.
     *
     * @param policyFile the policy file as read at start-up; {@code null} when none is given (then no thread is
     *     started: the default policy cannot change)
     */
    static void install(AgentOptions options, PolicyFile policyFile, Instrumentation instrumentation,
                        List<String> injected, long startNanos, boolean inBackground) throws Exception {
        Phases phases = new Phases(startNanos);
        AgentLogging logging = new AgentLogging(options.events());
        Logger log = logging.diagnostics(GuardInstaller.class);
        if (options.mode() == Mode.OFF) {
            log.info("off: mode=off, nothing installed");
            return;
        }
        if (Hooks.class.getClassLoader() != null) {
            throw new IllegalStateException("the bootstrap facade was not defined by the boot loader");
        }
        phases.done("options+bootstrap+logging");
        Hooks.installing();
        HookInstallation hooks;
        try {
            hooks = WeavingClassLoader.registerHooks(instrumentation, log);
        } catch (Throwable t) {
            Hooks.installAbandoned();
            throw t;
        }
        phases.done("transformer");
        Runnable rest = new Runnable() { // not a lambda: on the start-up path each costs a generated class
            @Override
            public void run() {
                try {
                    phases.restart();
                    finish(options, policyFile, logging, hooks, instrumentation, injected, startNanos, phases);
                } catch (Throwable t) {
                    // Our own failure must never stop the host service; requests stop waiting and go unguarded.
                    System.err.println("[hostguard] ERROR not installed, the service runs unguarded: " + t);
                } finally {
                    Hooks.installAbandoned(); // a no-op once installed
                }
            }
        };
        if (!inBackground) {
            rest.run();
            return;
        }
        try {
            Thread thread = new Thread(rest, "hostguard-start");
            thread.setDaemon(true);
            thread.start();
        } catch (Throwable t) {
            Hooks.installAbandoned();
            throw t;
        }
    }

    /** How long the JVM's exit waits for a queued event sink (a stalled pipe must not hold the exit up). */
    static final long EVENTS_FLUSH_AT_EXIT_MILLIS = 2000;

    private static void finish(AgentOptions options, PolicyFile policyFile, AgentLogging logging,
                               HookInstallation hooks, Instrumentation instrumentation, List<String> injected,
                               long startNanos,
                               Phases phases) throws Exception {
        Logger log = logging.diagnostics(GuardInstaller.class);
        List<String> hostMounts = HostMounts.of(MountInfo.read(Path.of("/proc/self/mountinfo")));
        log.info("{}", ContainerPosture.read(Path.of("/proc/self/status"), hostMounts).summary());
        phases.done("posture");
        PathResolver paths = new PathResolver(System.getProperty("user.dir"));
        Policy policy = policyFile == null ? Policy.DEFAULT : policyFile.policy();
        HostGuardFiles ownFiles = ownFiles(options, paths.workingDirectory());
        ActivePolicy active = ActivePolicy.compile(policy, options.mode(), hostMounts,
                policyFile == null ? null : policyFile.sha256(), ownFiles);
        Guard guard = new Guard(active, paths, options.requestIdHeader(), logging.events(),
                logging.diagnostics(Guard.class));
        guard.selfCheck(hooks, policyFile != null); // on the policy watcher's ticks when it runs
        phases.done("guard");
        warmUp(paths, active);
        phases.done("warm-up");
        hooks.hookLoaded();
        phases.done("hooks");
        Hooks.judgeOutsideRequests(active.engine().guardsOutsideRequest());
        Hooks.install(guard); // requests may come in: every hook and the handler are in place
        // Without it the count of a storm's last second, which waits for the next event or the watcher's sweep,
        // would die with the JVM. Our event writer flushes each line and has no shutdown hook, so it is still open.
        Runtime.getRuntime().addShutdownHook(new Thread(new Runnable() { // not a lambda: see install
            @Override
            public void run() {
                guard.reportAllSuppressed();
                logging.flushEvents(EVENTS_FLUSH_AT_EXIT_MILLIS); // a queued sink: what it holds, a stalled one not long
            }
        }, "hostguard-suppressed-counts"));
        if (options.metrics() != null) {
            MetricsStart.start(options, logging, instrumentation); // only with the metrics option: a thread of its own
        }
        if (policyFile != null) {
            new PolicyWatcher(policyFile.path(), policyFile.sha256(), POLICY_POLL,
                    new Reloader(options, hostMounts, guard, log)).start();
        }
        log.info("active: mode={} ({}) events={} ({}) policy={} hooks=[{}] (the others as their classes load)"
                        + " bootstrap={} classes, started in {} ms",
                options.mode().label(), options.modeOrigin(), options.events(), options.eventsOrigin(),
                policyFile == null ? "none" : policyFile.path() + " sha256=" + policyFile.sha256(), hooks.hookedSites(),
                injected.size(), (System.nanoTime() - startNanos) / 1_000_000);
        if (Boolean.getBoolean(DEBUG_STARTUP_PROPERTY)) {
            log.info("start-up phases (ms): {}", phases);
            log.info("JDK classes woven {}", hooks.jdkWeavingSources());
        }
    }

    /**
     * How long each start-up phase took and, with {@link #DEBUG_STARTUP_PROPERTY}, how much its thread allocated
     * (only then: reading it loads the JDK's management classes).
     */
    private static final class Phases {
        private final boolean allocation = Boolean.getBoolean(DEBUG_STARTUP_PROPERTY);
        private final StringBuilder done = new StringBuilder();
        private long last;
        private long lastAllocated;
        private long lastCpu;

        Phases(long startNanos) {
            last = startNanos;
            lastAllocated = allocated();
            lastCpu = cpu();
        }

        /** On the start-up thread: its allocations start from its own count. */
        void restart() {
            lastAllocated = allocated();
            lastCpu = cpu();
        }

        void done(String phase) {
            long now = System.nanoTime();
            long allocatedNow = allocated();
            long cpuNow = cpu();
            done.append(done.length() == 0 ? "" : " ").append(phase).append('=').append((now - last) / 1_000_000);
            if (allocation) {
                done.append("ms/cpu ").append((cpuNow - lastCpu) / 1_000_000).append("ms/")
                        .append((allocatedNow - lastAllocated) >> 20).append("MB");
            }
            last = now;
            lastAllocated = allocatedNow;
            lastCpu = cpuNow;
        }

        private long allocated() {
            return allocation ? ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory
                    .getThreadMXBean()).getCurrentThreadAllocatedBytes() : 0;
        }

        private long cpu() {
            return allocation ? java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() : 0;
        }

        @Override
        public String toString() {
            return done.toString();
        }
    }

    /** Puts each valid change of the policy file in force, and reports each invalid one, keeping the old policy. */
    private record Reloader(AgentOptions options, List<String> hostMounts, Guard guard, Logger log)
            implements PolicyWatcher.Listener {
        @Override
        public void changed(PolicyFile loaded) {
            PolicyTampering tampered = guard.takePolicyTampering();
            if (tampered != null) {
                // written by a guarded request: not put in force, whatever it says (the old policy stays)
                AgentMetrics.INSTANCE.policyTampered();
                guard.writeEvent(EventJson.policyTampered(loaded.path().toString(), loaded.sha256(), tampered.path(),
                        tampered.access().label(), tampered.auth().label(), tampered.request(), tampered.at()));
                log.warn("policy file {} changed after a guarded request ({}) wrote {}: the change is refused, the"
                        + " policy in force stays; restore the file", loaded.path(), tampered.auth().label(),
                        tampered.path());
                return;
            }
            Policy policy = loaded.policy();
            // An explicit mode option wins over the file, now as at start-up; the sink is read at start-up only.
            Mode mode = options.modeExplicit() ? options.mode() : policy.mode() != null ? policy.mode() : Mode.AUDIT;
            // recomputed: a ConfigMap update reads the file through a new ..<timestamp> directory
            guard.replace(ActivePolicy.compile(policy, mode, hostMounts, loaded.sha256(),
                    ownFiles(options, System.getProperty("user.dir"))));
            AgentMetrics.INSTANCE.policyReloaded();
            guard.writeEvent(EventJson.policyReloaded(loaded.path().toString(), loaded.sha256(), mode.label()));
            log.info("policy reloaded: {} sha256={} mode={}", loaded.path(), loaded.sha256(), mode.label());
        }

        @Override
        public void refused(Path path, InvalidPolicyException problems) {
            guard.takePolicyTampering(); // refused anyway: the note is spent on this change
            AgentMetrics.INSTANCE.policyError();
            guard.writeEvent(EventJson.policyError(path.toString(), null, problems.getMessage()));
            log.warn("policy file {} changed but is invalid, the policy in force stays:\n  {}", path,
                    problems.getMessage().replace("\n", "\n  "));
        }

        @Override
        public void tick() {
            guard.reportSuppressed();
            guard.selfCheckTick();
        }
    }

    /**
     * Runs the handler's judging path once before any request can reach it, so the first guarded request does not
     * pay for loading and linking it. Writing an event (Jackson's generator, some 60 classes and 25 ms) is left to
     * the first event: most services never write one, and a class loaded inside a hook is loaded under the
     * reentrancy guard like any other nested operation.
     */
    private static void warmUp(PathResolver paths, ActivePolicy policy) {
        KeyFingerprint.of("warm-up");
        EventStamps.newId();
        policy.engine().pathRules().match(FileAccess.READ, paths.resolve(System.getProperty("java.home")));
        ApplicationFrames.capture(policy.policy().events().stackDepth());
        policy.policy().response().render("warm-up", "warm-up");
    }

    /**
     * HostGuard's own files as the options name them ({@link HostGuardFiles}), and the agent jar (start-up and each
     * reload; here rather than in a class of its own: one class less at start-up). Never throws: a part that cannot
     * be found is left out, the others are protected.
     */
    static HostGuardFiles ownFiles(AgentOptions options, String workingDirectory) {
        try {
            return HostGuardFiles.of(options.policy(), options.events().file(), agentJar(), workingDirectory);
        } catch (RuntimeException e) {
            System.err.println("[hostguard] WARN cannot list HostGuard's own files, they are not protected: " + e);
            return HostGuardFiles.NONE;
        }
    }

    /** The jar the agent was loaded from; {@code null} when it is not a jar (tests run from a class directory). */
    static Path agentJar() {
        try {
            CodeSource source = GuardInstaller.class.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null || !"file".equals(source.getLocation().getProtocol())) {
                return null;
            }
            // java.io.File(URI), not Path.of(URI): the latter loads the provider's URI support at start-up
            Path location = new java.io.File(source.getLocation().toURI()).toPath();
            return location.toString().endsWith(".jar") ? location : null;
        } catch (Exception | Error unknown) {
            return null;
        }
    }
}

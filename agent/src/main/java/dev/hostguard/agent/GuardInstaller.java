package dev.hostguard.agent;

import dev.hostguard.agent.bootstrap.Hooks;
import dev.hostguard.agent.config.AgentOptions;
import dev.hostguard.agent.context.ApiKeyCredentials;
import dev.hostguard.agent.context.AuthClassifier;
import dev.hostguard.agent.context.KeyFingerprint;
import dev.hostguard.agent.event.ApplicationFrames;
import dev.hostguard.agent.event.EventJson;
import dev.hostguard.agent.instrument.HookInstaller;
import dev.hostguard.agent.path.PathResolver;
import dev.hostguard.agent.policy.FileAccess;
import dev.hostguard.agent.policy.Mode;
import dev.hostguard.agent.policy.PathRules;
import dev.hostguard.agent.policy.PolicyEngine;
import dev.hostguard.agent.policy.Rule;
import dev.hostguard.agent.posture.ContainerPosture;
import dev.hostguard.agent.posture.HostMounts;
import dev.hostguard.agent.posture.MountInfo;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;

/** The start-up sequence, once the options are known (see ARCHITECTURE.md). */
final class GuardInstaller {
    private GuardInstaller() {
    }

    /**
     * With {@code -Ddev.hostguard.debug.startup=true}, one more line gives the milliseconds of each start-up phase
     * (for measuring the start-up budget; see scripts/measure-startup.sh).
     */
    static final String DEBUG_STARTUP_PROPERTY = "dev.hostguard.debug.startup";

    /**
     * Installs the agent. On the service's main thread only what must be in place before the service's own code
     * runs: the logging and the registered transformer, so every target class the service loads from now on is
     * hooked as it loads. The rest (posture, the {@code Guard}, the warm-up, hooking the JDK classes loaded before
     * us, the self-test) runs on a short-lived start-up thread when {@code inBackground}, alongside the service's
     * start, while requests wait at their entry ({@link Hooks#installing}) until it is done: no request is served
     * before every hook and the handler are in place.
     */
    static void install(AgentOptions options, Instrumentation instrumentation, List<String> injected,
                        long startNanos, boolean inBackground) throws Exception {
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
        HookInstaller.Installation hooks;
        try {
            hooks = HookInstaller.register(instrumentation, log);
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
                    finish(options, logging, hooks, injected, startNanos, phases);
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

    private static void finish(AgentOptions options, AgentLogging logging, HookInstaller.Installation hooks,
                               List<String> injected, long startNanos, Phases phases) throws Exception {
        Logger log = logging.diagnostics(GuardInstaller.class);
        List<String> hostMounts = HostMounts.of(MountInfo.read(Path.of("/proc/self/mountinfo")));
        log.info("{}", ContainerPosture.read(Path.of("/proc/self/status"), hostMounts).summary());
        phases.done("posture");
        PathResolver paths = new PathResolver(System.getProperty("user.dir"));
        PathRules rules = pathRules(hostMounts);
        Guard guard = new Guard(new PolicyEngine(options.mode()), paths, rules,
                new AuthClassifier(ApiKeyCredentials.DEFAULTS), logging.events(), logging.diagnostics(Guard.class));
        phases.done("guard");
        warmUp(paths, rules);
        phases.done("warm-up");
        hooks.hookLoaded();
        phases.done("hooks");
        Hooks.install(guard); // requests may come in: every hook and the handler are in place
        HookInstaller.InstallReport report = hooks.selfTest();
        phases.done("self-test");
        if (!report.missing().isEmpty()) {
            log.warn("these hooks found no method on this JDK ({} {}), so what they guard is NOT guarded: {}",
                    System.getProperty("java.vendor"), Runtime.version(), report.missing());
        }
        log.info("active: mode={} events={} hooks=[{}] (the others as their classes load) bootstrap={} classes, "
                + "started in {} ms", options.mode().label(), options.events(), report, injected.size(),
                (System.nanoTime() - startNanos) / 1_000_000);
        if (Boolean.getBoolean(DEBUG_STARTUP_PROPERTY)) {
            log.info("start-up phases (ms): {}", phases);
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

    /** The default container-escape ruleset plus one {@code host-mount} rule per host mount found. */
    static PathRules pathRules(List<String> hostMounts) {
        PathRules.Builder rules = PathRules.builder().addDefaults();
        for (String mountPoint : hostMounts) {
            rules.prefix(new Rule("host-mount", "host filesystem",
                    EnumSet.of(FileAccess.READ, FileAccess.WRITE, FileAccess.LIST),
                    "a part of the host bind-mounted into this container at " + mountPoint,
                    "/proc/self/mountinfo; Falco sandbox sensitive_mount"), mountPoint);
        }
        return rules.build();
    }

    /**
     * Runs the handler's path once before any request can reach it: loads its classes, and initialises the JDK
     * services it uses. Without it the first request that, say, initialises {@code java.security} (which opens
     * its configuration file, so calls a hook) would have the handler ask for a SHA-256 digest while
     * {@code java.security} is only half initialised.
     */
    private static void warmUp(PathResolver paths, PathRules rules) {
        KeyFingerprint.of("warm-up");
        UUID.randomUUID();
        rules.match(FileAccess.READ, paths.resolve(System.getProperty("java.home")));
        ApplicationFrames.capture();
        EventJson.blockResponse("warm-up", "warm-up");
    }
}

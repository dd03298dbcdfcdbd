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

    static void install(AgentOptions options, Instrumentation instrumentation, List<String> injected,
                        long startNanos) throws Exception {
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
        Hooks.install(guard);
        HookInstaller.InstallReport report = HookInstaller.install(instrumentation, log);
        phases.done("hooks");
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

    /** How long each start-up phase took, for {@link #DEBUG_STARTUP_PROPERTY}. */
    private static final class Phases {
        private final StringBuilder done = new StringBuilder();
        private long last;

        Phases(long startNanos) {
            last = startNanos;
        }

        void done(String phase) {
            long now = System.nanoTime();
            done.append(done.length() == 0 ? "" : " ").append(phase).append('=').append((now - last) / 1_000_000);
            last = now;
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

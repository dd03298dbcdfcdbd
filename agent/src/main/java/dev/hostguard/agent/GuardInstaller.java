package dev.hostguard.agent;

import dev.hostguard.agent.bootstrap.Hooks;
import dev.hostguard.agent.config.AgentOptions;
import dev.hostguard.agent.config.InvalidPolicyException;
import dev.hostguard.agent.config.PolicyFile;
import dev.hostguard.agent.config.PolicyWatcher;
import dev.hostguard.agent.context.KeyFingerprint;
import dev.hostguard.agent.event.ApplicationFrames;
import dev.hostguard.agent.event.EventJson;
import dev.hostguard.agent.instrument.HookInstaller;
import dev.hostguard.agent.path.PathResolver;
import dev.hostguard.agent.policy.FileAccess;
import dev.hostguard.agent.policy.Mode;
import dev.hostguard.agent.policy.Policy;
import dev.hostguard.agent.posture.ContainerPosture;
import dev.hostguard.agent.posture.HostMounts;
import dev.hostguard.agent.posture.MountInfo;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;

/** The start-up sequence, once the options are known (see ARCHITECTURE.md). */
final class GuardInstaller {
    private GuardInstaller() {
    }

    /** How often the policy file is looked at (a change takes effect within one to two of these). */
    static final Duration POLICY_POLL = Duration.ofSeconds(1);

    /**
     * @param policyFile the policy file as read at start-up; {@code null} when none is given (then no thread is
     *     started: the default policy cannot change)
     */
    static void install(AgentOptions options, PolicyFile policyFile, Instrumentation instrumentation,
                        List<String> injected, long startNanos) throws Exception {
        AgentLogging logging = new AgentLogging(options.events());
        Logger log = logging.diagnostics(GuardInstaller.class);
        if (options.mode() == Mode.OFF) {
            log.info("off: mode=off, nothing installed");
            return;
        }
        if (Hooks.class.getClassLoader() != null) {
            throw new IllegalStateException("the bootstrap facade was not defined by the boot loader");
        }
        List<String> hostMounts = HostMounts.of(MountInfo.read(Path.of("/proc/self/mountinfo")));
        log.info("{}", ContainerPosture.read(Path.of("/proc/self/status"), hostMounts).summary());
        PathResolver paths = new PathResolver(System.getProperty("user.dir"));
        Policy policy = policyFile == null ? Policy.DEFAULT : policyFile.policy();
        ActivePolicy active = ActivePolicy.compile(policy, options.mode(), hostMounts,
                policyFile == null ? null : policyFile.sha256());
        Guard guard = new Guard(active, paths, logging.events(), logging.diagnostics(Guard.class));
        warmUp(paths, active);
        Hooks.install(guard);
        Hooks.judgeOutsideRequests(active.engine().guardsOutsideRequest());
        // Without it the count of a storm's last second, which waits for the next event or the watcher's sweep,
        // would die with the JVM. Our logback context has no shutdown hook of its own, so the sink is still open.
        Runtime.getRuntime().addShutdownHook(new Thread(guard::reportAllSuppressed, "hostguard-suppressed-counts"));
        if (policyFile != null) {
            new PolicyWatcher(policyFile.path(), policyFile.sha256(), POLICY_POLL,
                    new Reloader(options, hostMounts, guard, log)).start();
        }
        HookInstaller.InstallReport report = HookInstaller.install(instrumentation, log);
        if (!report.missing().isEmpty()) {
            log.warn("these hooks found no method on this JDK ({} {}), so what they guard is NOT guarded: {}",
                    System.getProperty("java.vendor"), Runtime.version(), report.missing());
        }
        log.info("active: mode={} ({}) events={} ({}) policy={} hooks=[{}] bootstrap={} classes, started in {} ms",
                options.mode().label(), options.modeOrigin(), options.events(), options.eventsOrigin(),
                policyFile == null ? "none" : policyFile.path() + " sha256=" + policyFile.sha256(), report,
                injected.size(), (System.nanoTime() - startNanos) / 1_000_000);
    }

    /** Puts each valid change of the policy file in force, and reports each invalid one, keeping the old policy. */
    private record Reloader(AgentOptions options, List<String> hostMounts, Guard guard, Logger log)
            implements PolicyWatcher.Listener {
        @Override
        public void changed(PolicyFile loaded) {
            Policy policy = loaded.policy();
            // An explicit mode option wins over the file, now as at start-up; the sink is read at start-up only.
            Mode mode = options.modeExplicit() ? options.mode() : policy.mode() != null ? policy.mode() : Mode.AUDIT;
            guard.replace(ActivePolicy.compile(policy, mode, hostMounts, loaded.sha256()));
            guard.writeEvent(EventJson.policyReloaded(loaded.path().toString(), loaded.sha256(), mode.label()));
            log.info("policy reloaded: {} sha256={} mode={}", loaded.path(), loaded.sha256(), mode.label());
        }

        @Override
        public void refused(Path path, InvalidPolicyException problems) {
            guard.writeEvent(EventJson.policyError(path.toString(), null, problems.getMessage()));
            log.warn("policy file {} changed but is invalid, the policy in force stays:\n  {}", path,
                    problems.getMessage().replace("\n", "\n  "));
        }

        @Override
        public void tick() {
            guard.reportSuppressed();
        }
    }

    /**
     * Runs the handler's path once before any request can reach it: loads its classes, and initialises the JDK
     * services it uses. Without it the first request that, say, initialises {@code java.security} (which opens
     * its configuration file, so calls a hook) would have the handler ask for a SHA-256 digest while
     * {@code java.security} is only half initialised.
     */
    private static void warmUp(PathResolver paths, ActivePolicy policy) {
        KeyFingerprint.of("warm-up");
        UUID.randomUUID();
        policy.engine().pathRules().match(FileAccess.READ, paths.resolve(System.getProperty("java.home")));
        ApplicationFrames.capture(policy.policy().events().stackDepth());
        policy.policy().response().render("warm-up", "warm-up");
        EventJson.eventsSuppressed("warm-up", 0, 0, 1);
    }
}

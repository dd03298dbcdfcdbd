package dev.hostguard.agent;

import dev.hostguard.agent.bootstrap.Hooks;
import dev.hostguard.agent.config.AgentOptions;
import dev.hostguard.agent.context.ApiKeyCredentials;
import dev.hostguard.agent.context.AuthClassifier;
import dev.hostguard.agent.event.EventJson;
import dev.hostguard.agent.instrument.HookInstaller;
import dev.hostguard.agent.policy.Mode;
import dev.hostguard.agent.policy.PolicyEngine;
import java.lang.instrument.Instrumentation;
import java.util.List;
import org.slf4j.Logger;

/** The start-up sequence, once the options are known (see ARCHITECTURE.md). */
final class GuardInstaller {
    private GuardInstaller() {
    }

    static void install(AgentOptions options, Instrumentation instrumentation, List<String> injected,
                        long startNanos) throws Exception {
        AgentLogging logging = new AgentLogging(options.events());
        Logger log = logging.diagnostics(GuardInstaller.class);
        if (options.mode() == Mode.OFF) {
            log.info("off: mode=off, nothing installed");
            return;
        }
        if (Hooks.class.getClassLoader() != null) {
            throw new IllegalStateException("the bootstrap facade was not defined by the boot loader");
        }
        PolicyEngine policy = new PolicyEngine(options.mode());
        Guard guard = new Guard(policy, new AuthClassifier(ApiKeyCredentials.DEFAULTS), logging.events(),
                logging.diagnostics(Guard.class));
        warmUp();
        Hooks.install(guard);
        HookInstaller.InstallReport report = HookInstaller.install(instrumentation, log);
        if (!report.missing().isEmpty()) {
            log.warn("these hooks found no method on this JDK ({} {}), so what they guard is NOT guarded: {}",
                    System.getProperty("java.vendor"), Runtime.version(), report.missing());
        }
        log.info("active: mode={} events={} hooks=[{}] bootstrap={} classes, started in {} ms",
                options.mode().label(), options.events(), report, injected.size(),
                (System.nanoTime() - startNanos) / 1_000_000);
    }

    /** Loads the event path's classes before the first request needs them. */
    private static void warmUp() {
        EventJson.blockResponse("warm-up", "warm-up");
    }
}

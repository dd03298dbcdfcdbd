package dev.hostguard.agent;

import dev.hostguard.agent.config.AgentOptions;
import dev.hostguard.agent.config.InvalidOptionException;
import dev.hostguard.agent.config.InvalidPolicyException;
import dev.hostguard.agent.config.PolicyFile;
import dev.hostguard.agent.policy.Mode;
import java.lang.instrument.Instrumentation;
import java.util.List;

/**
 * Entry points: {@code -javaagent} ({@link #premain}) and dynamic attach ({@link #agentmain}); {@code java -jar}
 * runs {@code cli.HostGuardCli} instead, which never comes here. Tiny and stateless;
 * it must not touch the boot-loader facade before {@link BootstrapInjector} has put it there.
 */
public final class AgentMain {
    /** Exit status of a JVM refused at start-up because of a bad option. */
    static final int BAD_OPTION_EXIT_STATUS = 2;
    /**
     * Set once the guard is active, to its mode: a second {@code -javaagent} or attach sees it and changes nothing,
     * and {@code attach} reads it to refuse before it loads anything. Not under {@code hostguard.}, where every
     * property is an option.
     */
    public static final String ACTIVE_PROPERTY = "dev.hostguard.agent.active";

    private AgentMain() {
    }

    public static void premain(String argument, Instrumentation instrumentation) {
        start(argument, instrumentation, true);
    }

    public static void agentmain(String argument, Instrumentation instrumentation) {
        start(argument, instrumentation, false);
    }

    /**
     * One {@code hostguard:} line (then, for a policy file, one indented line per problem), and at start-up the
     * JVM stops: an operator who asked for blocking must never run unguarded because of a typo.
     */
    private static void refuse(String message, boolean atStartup) {
        String[] lines = message.split("\n", 2);
        System.err.println("hostguard: " + lines[0] + (atStartup ? "; refusing to start" : "; not attached")
                + (lines.length > 1 ? "\n" + lines[1] : ""));
        if (atStartup) {
            System.exit(BAD_OPTION_EXIT_STATUS);
        }
    }

    private static void start(String argument, Instrumentation instrumentation, boolean atStartup) {
        long startNanos = System.nanoTime();
        String active = System.getProperty(ACTIVE_PROPERTY);
        if (active != null) {
            System.err.println("[hostguard] already active in this JVM (mode=" + active + "); "
                    + (atStartup ? "this -javaagent" : "this attach") + " changes nothing");
            return;
        }
        AgentOptions options;
        try {
            options = AgentOptions.resolve(argument);
        } catch (InvalidOptionException e) {
            refuse(e.getMessage(), atStartup);
            return;
        } catch (Throwable t) {
            System.err.println("hostguard: could not read options, not installed: " + t);
            return;
        }
        PolicyFile policyFile = null;
        if (options.policy() != null) {
            try {
                policyFile = PolicyFile.load(options.policy());
                options = options.withPolicy(policyFile.policy());
            } catch (InvalidPolicyException e) {
                refuse(e.report(options.policy().toString()), atStartup);
                return;
            } catch (InvalidOptionException e) {
                refuse(e.getMessage(), atStartup);
                return;
            } catch (Throwable t) {
                System.err.println("hostguard: could not read the policy file, not installed: " + t);
                return;
            }
        }
        try {
            // First the facade into the boot loader: nothing may load a bootstrap class before it is there.
            List<String> injected = options.mode() == Mode.OFF ? List.of() : BootstrapInjector.inject(instrumentation);
            GuardInstaller.install(options, policyFile, instrumentation, injected, startNanos, atStartup);
            if (options.mode() != Mode.OFF) {
                System.setProperty(ACTIVE_PROPERTY, options.mode().label());
            }
        } catch (Throwable t) {
            // Our own failure must never stop the host service.
            System.err.println("[hostguard] ERROR not installed, the service runs unguarded: " + t);
        }
    }
}

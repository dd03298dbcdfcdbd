package dev.hostguard.agent;

import dev.hostguard.agent.config.AgentOptions;
import dev.hostguard.agent.config.InvalidOptionException;
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
            System.err.println("hostguard: " + e.getMessage() + (atStartup ? "; refusing to start" : "; not attached"));
            if (atStartup) {
                System.exit(BAD_OPTION_EXIT_STATUS);
            }
            return;
        } catch (Throwable t) {
            System.err.println("hostguard: could not read options, not installed: " + t);
            return;
        }
        try {
            // First the facade into the boot loader: nothing may load a bootstrap class before it is there.
            List<String> injected = options.mode() == Mode.OFF ? List.of() : BootstrapInjector.inject(instrumentation);
            GuardInstaller.install(options, instrumentation, injected, startNanos);
            if (options.mode() != Mode.OFF) {
                System.setProperty(ACTIVE_PROPERTY, options.mode().label());
            }
        } catch (Throwable t) {
            // Our own failure must never stop the host service.
            System.err.println("[hostguard] ERROR not installed, the service runs unguarded: " + t);
        }
    }
}

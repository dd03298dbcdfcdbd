package dev.hostguard.agent;

import dev.hostguard.agent.config.AgentOptions;
import dev.hostguard.agent.config.InvalidOptionException;
import dev.hostguard.agent.policy.Mode;
import java.lang.instrument.Instrumentation;
import java.util.List;

/**
 * Entry points: {@code -javaagent} ({@link #premain}) and dynamic attach ({@link #agentmain}). Tiny and stateless;
 * it must not touch the boot-loader facade before {@link BootstrapInjector} has put it there.
 */
public final class AgentMain {
    /** Exit status of a JVM refused at start-up because of a bad option. */
    static final int BAD_OPTION_EXIT_STATUS = 2;

    private AgentMain() {
    }

    public static void premain(String argument, Instrumentation instrumentation) {
        start(argument, instrumentation, true);
    }

    public static void agentmain(String argument, Instrumentation instrumentation) {
        start(argument, instrumentation, false);
    }

    public static void main(String[] args) {
        System.out.println("HostGuard agent. Attach it to a Java service with:");
        System.out.println("  java -javaagent:hostguard-agent.jar[=mode=audit|block|off,events=stdout|stderr|<file>] ...");
    }

    private static void start(String argument, Instrumentation instrumentation, boolean atStartup) {
        long startNanos = System.nanoTime();
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
            GuardInstaller.install(options, instrumentation, injected, startNanos, atStartup);
        } catch (Throwable t) {
            // Our own failure must never stop the host service.
            System.err.println("[hostguard] ERROR not installed, the service runs unguarded: " + t);
        }
    }
}

package dev.hostguard.it;

import java.time.Duration;

/** Runs {@code java -jar hostguard-agent.jar <args>} (the operator's command line) in a JVM of its own. */
final class AgentCli {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private AgentCli() {
    }

    /** Runs the command to its end; its output is kept, and logged under {@code target/it-logs/<testName>-<n>.log}. */
    static ServiceProcess.Exit run(String testName, Jdks.Jdk jdk, String... args) {
        try (ServiceProcess cli = ServiceProcess.builder(testName, jdk)
                .label(testName + " cli " + String.join(" ", args) + " on " + jdk.label())
                .jar(BuiltArtifacts.agentJar()).appArgs(args).launch()) {
            return cli.awaitExit(TIMEOUT);
        }
    }

    /** One stream's lines as text. */
    static String text(java.util.List<String> lines) {
        return String.join("\n", lines);
    }
}

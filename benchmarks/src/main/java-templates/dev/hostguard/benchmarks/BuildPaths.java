package dev.hostguard.benchmarks;

/**
 * Paths fixed when the benchmarks are built: JMH takes a fork's JVM options from annotation constants, so they
 * cannot be looked up when the benchmarks run. Filtered by Maven from {@code src/main/java-templates} into
 * {@code target/generated-sources/build-paths}; change them with {@code mvn -Dhostguard.agent.jar=... package}.
 */
final class BuildPaths {
    /** The agent jar the benchmarks attach (Maven property {@code hostguard.agent.jar}). */
    static final String AGENT_JAR = "${hostguard.agent.jar}";

    /** Where the attached agent appends its events (Maven property {@code hostguard.bench.events}). */
    static final String EVENTS_FILE = "${hostguard.bench.events}";

    /** The policy files some forks load (Maven property {@code hostguard.bench.policies}). */
    static final String POLICIES = "${hostguard.bench.policies}";

    private BuildPaths() {
    }
}

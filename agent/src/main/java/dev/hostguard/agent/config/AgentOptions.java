package dev.hostguard.agent.config;

import dev.hostguard.agent.metrics.MetricsOption;
import dev.hostguard.agent.policy.Mode;
import dev.hostguard.agent.trace.RequestIds;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The agent's options. Each key is looked up, first found wins, in the agent argument
 * ({@code -javaagent:hostguard-agent.jar=key=value,key=value}), the system property {@code hostguard.<key>},
 * the environment variable {@code HOSTGUARD_<KEY>}, then the default.
 *
 * <p>Any unknown key or bad value, in any of the three sources, is an error: an operator who asked for blocking
 * must never run unguarded because of a typo.
 *
 * <p>A policy file ({@code policy=<file>}) may set the mode and the event sink too; an explicit option, from any
 * of the three sources, wins over it ({@link #withPolicy}).
 *
 * @param mode {@code audit} (default), {@code block} or {@code off}
 * @param events {@code stdout} (default), {@code stderr} or a file path; with {@code events-max-size},
 *     {@code events-max-files} and {@code events-queue} ({@link EventSinkOptions})
 * @param policy the policy file; {@code null} when none is given
 * @param modeOrigin where the mode came from: a source as the operator wrote it, {@code policy file} or
 *     {@code default}
 * @param eventsOrigin where the event sink came from, likewise
 * @param metrics the {@code metrics} option: {@code jmx}, {@code micrometer}, a Prometheus endpoint's address, or
 *     several joined by {@code +}; {@code null} when not given (off)
 * @param requestIdHeader the {@code request-id-header} option: the header whose value events carry as
 *     {@code http.request.id} ({@code X-Request-Id} by default)
 */
public record AgentOptions(Mode mode, EventTarget events, Path policy, String modeOrigin, String eventsOrigin,
                           MetricsOption metrics, String requestIdHeader) {
    static final String SYSTEM_PROPERTY_PREFIX = "hostguard.";
    static final String ENVIRONMENT_PREFIX = "HOSTGUARD_";
    static final List<String> KEYS = List.of("mode", "events", "policy", "events-max-size", "events-max-files",
            "events-queue", "metrics", "request-id-header");
    static final String DEFAULT_ORIGIN = "default";
    static final String POLICY_ORIGIN = "policy file";

    public AgentOptions(Mode mode, EventTarget events) {
        this(mode, events, null, DEFAULT_ORIGIN, DEFAULT_ORIGIN);
    }

    public AgentOptions(Mode mode, EventTarget events, Path policy, String modeOrigin, String eventsOrigin) {
        this(mode, events, policy, modeOrigin, eventsOrigin, null);
    }

    public AgentOptions(Mode mode, EventTarget events, Path policy, String modeOrigin, String eventsOrigin,
                        MetricsOption metrics) {
        this(mode, events, policy, modeOrigin, eventsOrigin, metrics, RequestIds.DEFAULT_HEADER);
    }

    /** Reads the options of this JVM. */
    public static AgentOptions resolve(String agentArgument) throws InvalidOptionException {
        Map<String, String> properties = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : System.getProperties().entrySet()) { // no lambda: start-up path
            properties.put(String.valueOf(e.getKey()), String.valueOf(e.getValue()));
        }
        return resolve(agentArgument, properties, System.getenv());
    }

    static AgentOptions resolve(String agentArgument, Map<String, String> systemProperties,
                                Map<String, String> environment) throws InvalidOptionException {
        Map<String, Source> found = new LinkedHashMap<>();
        collectEnvironment(environment, found);
        collectSystemProperties(systemProperties, found);
        collectAgentArgument(agentArgument, found);
        EventTarget events = events(found.get("events"));
        if (found.containsKey("events-max-size") || found.containsKey("events-max-files")
                || found.containsKey("events-queue")) { // not loaded at start-up otherwise
            events = EventSinkOptions.apply(events, found.get("events-max-size"), found.get("events-max-files"),
                    found.get("events-queue"));
        }
        return new AgentOptions(mode(found.get("mode")), events, policy(found.get("policy")),
                origin(found.get("mode")), origin(found.get("events")), metrics(found.get("metrics")),
                requestIdHeader(found.get("request-id-header")));
    }

    private static String requestIdHeader(Source source) throws InvalidOptionException {
        if (source == null) {
            return RequestIds.DEFAULT_HEADER;
        }
        String problem = RequestIds.headerNameProblem(source.value());
        if (problem != null) {
            throw new InvalidOptionException("bad value for option 'request-id-header' (" + source.describe() + "); "
                    + problem);
        }
        return source.value();
    }

    private static MetricsOption metrics(Source source) throws InvalidOptionException {
        try {
            return source == null ? null : MetricsOption.parse(source.value()); // null: off, no class loaded
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException("bad value for option 'metrics' (" + source.describe() + "); "
                    + e.getMessage());
        }
    }

    /**
     * These options with the mode and the event sink of {@code policy} where no option set them.
     *
     * @throws InvalidOptionException when the policy's event sink cannot be written
     */
    public AgentOptions withPolicy(dev.hostguard.agent.policy.Policy policy) throws InvalidOptionException {
        boolean policyMode = modeOrigin.equals(DEFAULT_ORIGIN) && policy.mode() != null;
        boolean policyEvents = eventsOrigin.equals(DEFAULT_ORIGIN) && policy.events().sink() != null;
        return new AgentOptions(policyMode ? policy.mode() : mode,
                policyEvents ? events(new Source("events.sink", policy.events().sink(),
                        "events.sink: " + policy.events().sink() + " in the policy file " + this.policy,
                        POLICY_ORIGIN)).withSink(events.maxBytes(), events.maxFiles(), events.queue()) : events,
                this.policy, policyMode ? POLICY_ORIGIN : modeOrigin, policyEvents ? POLICY_ORIGIN : eventsOrigin,
                metrics, requestIdHeader);
    }

    /** Whether the mode was given as an option (so a policy file, also a reloaded one, does not change it). */
    public boolean modeExplicit() {
        return !modeOrigin.equals(DEFAULT_ORIGIN) && !modeOrigin.equals(POLICY_ORIGIN);
    }

    private static String origin(Source source) {
        return source == null ? DEFAULT_ORIGIN : source.origin();
    }

    private static Path policy(Source source) throws InvalidOptionException {
        if (source == null) {
            return null;
        }
        try {
            if (source.value().isEmpty()) {
                throw new InvalidPathException("", "empty");
            }
            return Path.of(source.value()).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw new InvalidOptionException("bad value for option 'policy' (" + source.describe()
                    + "); expected the path of a policy file");
        }
    }

    /**
     * A value and where it came from.
     *
     * @param key the key as spelled at the source
     * @param describe the source and setting as the operator wrote them, for error messages
     * @param origin the source alone, for the start-up line ({@code agent argument}, {@code -Dhostguard.mode})
     */
    record Source(String key, String value, String describe, String origin) {
    }

    private static void collectAgentArgument(String argument, Map<String, Source> found)
            throws InvalidOptionException {
        if (argument == null || argument.isBlank()) {
            return;
        }
        for (String pair : argument.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new InvalidOptionException("agent argument '" + pair + "' is not key=value (known keys: "
                        + String.join(", ", KEYS) + ")");
            }
            String key = pair.substring(0, eq).trim();
            put(found, new Source(key, pair.substring(eq + 1).trim(), "agent argument " + pair.trim(),
                    "agent argument"), key);
        }
    }

    private static void collectSystemProperties(Map<String, String> properties, Map<String, Source> found)
            throws InvalidOptionException {
        collect(properties, SYSTEM_PROPERTY_PREFIX, "system property -D", false, found);
    }

    private static void collectEnvironment(Map<String, String> environment, Map<String, Source> found)
            throws InvalidOptionException {
        collect(environment, ENVIRONMENT_PREFIX, "environment ", true, found);
    }

    private static void collect(Map<String, String> source, String prefix, String origin,
                                boolean lowerCaseKeys, Map<String, Source> found) throws InvalidOptionException {
        for (Map.Entry<String, String> e : source.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                String name = e.getKey().substring(prefix.length());
                put(found, new Source(name, e.getValue().trim(), origin + e.getKey() + "=" + e.getValue(),
                        (origin.startsWith("system") ? "-D" : "") + e.getKey()), lowerCaseKeys ? name.toLowerCase(Locale.ROOT).replace('_', '-') : name);
            }
        }
    }

    private static void put(Map<String, Source> found, Source source, String key) throws InvalidOptionException {
        if (!KEYS.contains(key)) {
            throw new InvalidOptionException("unknown option '" + source.key() + "' (" + source.describe()
                    + "); known options: " + String.join(", ", KEYS));
        }
        found.put(key, source);
    }

    private static Mode mode(Source source) throws InvalidOptionException {
        if (source == null) {
            return Mode.AUDIT;
        }
        for (Mode mode : Mode.values()) {
            if (mode.label().equalsIgnoreCase(source.value())) {
                return mode;
            }
        }
        throw new InvalidOptionException("bad value for option 'mode' (" + source.describe()
                + "); expected audit, block or off");
    }

    private static EventTarget events(Source source) throws InvalidOptionException {
        if (source == null || source.value().equalsIgnoreCase("stdout")) {
            return EventTarget.STDOUT;
        }
        if (source.value().equalsIgnoreCase("stderr")) {
            return EventTarget.STDERR;
        }
        try {
            Path file = Path.of(source.value()).toAbsolutePath();
            // Open it now: a sink that fails later would lose the very events the operator asked for. With java.io,
            // loaded before any agent: NIO's Files.newOutputStream would load FileChannelImpl and some twenty NIO
            // classes before the hooks' transformer is registered, and FileChannelImpl would then be retransformed.
            new FileOutputStream(file.toFile(), true).close();
            return EventTarget.file(file);
        } catch (IOException | InvalidPathException | UnsupportedOperationException e) {
            throw new InvalidOptionException("bad value for option 'events' (" + source.describe()
                    + "): cannot append to that file: " + e.getMessage() + "; expected stdout, stderr or a"
                    + " writable file path");
        }
    }
}

package dev.hostguard.agent.policy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides what happens to a host operation. Plain Java, no instrumentation: the hooks hand it an operation,
 * already matched against the rules, and how the request it serves was authenticated. Compiled from a
 * {@link Policy}; immutable, so a reloaded policy is a new engine swapped in as a whole.
 *
 * <p>A finding is an operation that matched a rule. Its verdict is the milder of the action for its request's
 * authentication class and the rule's own action; an allow entry that matches lets it go with an event; in
 * audit mode a block is only logged. Default policy: inside a request that carries only an API key, or
 * nothing, every finding is blocked (every process start matches {@link Operation#PROCESS_START_RULE}); a
 * logged-in user, a verified client certificate and work outside requests run freely.
 */
public final class PolicyEngine {
    /** The rule every {@code host-mount} path rule uses the id of. */
    public static final String HOST_MOUNT = "host-mount";
    public static final String OUTSIDE_REQUEST = "outside-request";
    private static final Set<FileAccess> SOCKET_ACCESSES = EnumSet.of(FileAccess.CONNECT, FileAccess.READ,
            FileAccess.WRITE, FileAccess.CHANGE);

    private final Policy policy;
    private final Mode mode;
    private final Decision.Verdict[] authActions = new Decision.Verdict[AuthClass.values().length];
    private final Decision.Verdict outsideRequest;
    /** {@code auth.keys} by fingerprint; empty when the policy has none (then no lookup is made). */
    private final Map<String, KeyAction> keyActions = new HashMap<>();
    /** Per fingerprint of {@link #keyActions}, per rule id, the decision for each verdict, as {@link #decisions}. */
    private final Map<String, Map<String, Decision[]>> keyDecisions = new HashMap<>();
    /** {@code credentials.keys} the other way round: the name of a fingerprint, for its events. */
    private final Map<String, String> keyNames = new HashMap<>();
    /** The allow entries, as an array: tried by index, with no iterator made per finding. */
    private final AllowEntry[] allow;
    private final PathRules pathRules;
    private final Map<String, String> environment;
    private List<String> runtimeSocketHomes;
    /** Every rule by id, the policy's own included: what the network rules are compiled from. */
    private final Map<String, Rule> rulesById;
    /** The rules switched off. */
    private final Set<String> off = new HashSet<>();
    /** Compiled at the first connect the hooks ask about ({@link #networkRules}): most services make none in a request. */
    private volatile NetworkRules networkRules;
    private final List<CommandRule> commandRules = new ArrayList<>();
    private final boolean processStartOn;
    private final boolean nativeCodeOn;
    private final boolean processSignalOn;
    private final boolean jvmDiagnosticsOn;
    /** Per rule id, the decision for each verdict (by ordinal), made once: deciding a finding allocates nothing. */
    private final Map<String, Decision[]> decisions = new HashMap<>();
    private final Map<String, Decision.Verdict> ceilings = new HashMap<>();
    private final Map<String, RuleAction> actions = new LinkedHashMap<>();
    private final List<Rule> addedRules = new ArrayList<>();
    private final HostGuardFiles ownFiles;

    /** The default policy in {@code mode}, with no host mounts. */
    public PolicyEngine(Mode mode) {
        this(Policy.DEFAULT, mode, List.of());
        if (mode == Mode.OFF) {
            throw new IllegalArgumentException("mode off installs no policy");
        }
    }

    /**
     * @param mode the mode in force (the policy's, unless an option overrides it); {@code off} judges nothing
     * @param hostMounts the host mounts found at start-up, each a {@code host-mount} rule
     */
    public PolicyEngine(Policy policy, Mode mode, List<String> hostMounts) {
        this(policy, mode, hostMounts, System.getenv());
    }

    /**
     * @param environment where the default network rules find {@code DOCKER_HOST}, {@code KUBERNETES_SERVICE_HOST}...
     */
    public PolicyEngine(Policy policy, Mode mode, List<String> hostMounts, Map<String, String> environment) {
        this(policy, mode, hostMounts, environment, HostGuardFiles.NONE);
    }

    /**
     * @param ownFiles HostGuard's own files, computed from the agent's options: the {@code hostguard-files} rule
     */
    public PolicyEngine(Policy policy, Mode mode, List<String> hostMounts, Map<String, String> environment,
                        HostGuardFiles ownFiles) {
        this.policy = policy;
        this.ownFiles = ownFiles;
        this.mode = mode;
        for (AuthClass auth : AuthClass.values()) {
            authActions[auth.ordinal()] = policy.auth().get(auth);
        }
        this.outsideRequest = policy.outsideRequest();
        for (KeyAction key : policy.keyActions()) {
            keyActions.put(key.fingerprint(), key);
            keyDecisions.put(key.fingerprint(), new HashMap<>());
        }
        this.allow = policy.allow().toArray(new AllowEntry[0]);
        for (Map.Entry<String, String> named : policy.credentials().keys().entrySet()) {
            keyNames.put(named.getValue(), named.getKey());
        }

        PathRules.Builder paths = PathRules.builder();
        ownFiles.addTo(paths); // first: a path another rule names too reports hostguard-files, refused in audit too
        paths.addDefaults();
        for (String mountPoint : hostMounts) {
            paths.prefix(new Rule(HOST_MOUNT, "host filesystem",
                    EnumSet.of(FileAccess.READ, FileAccess.WRITE, FileAccess.LIST, FileAccess.CHANGE),
                    "a part of the host bind-mounted into this container at " + mountPoint,
                    "/proc/self/mountinfo; Falco sandbox sensitive_mount"), mountPoint);
        }
        Map<String, Rule> known = new LinkedHashMap<>();
        for (Rule rule : knownRules()) {
            known.put(rule.id(), rule);
        }
        resolveActions(policy.rules(), known);
        this.environment = environment;
        addPatterns(policy.rules(), known, paths);
        this.rulesById = known;
        for (Rule rule : known.values()) {
            decisions.put(rule.id(), new Decision[] {null, new Decision(Decision.Verdict.LOG, rule.id()),
                new Decision(Decision.Verdict.BLOCK, rule.id())});
            for (KeyAction key : keyActions.values()) {
                keyDecisions.get(key.fingerprint()).put(rule.id(), new Decision[] {
                    null, new Decision(Decision.Verdict.LOG, rule.id(), null, key),
                    new Decision(Decision.Verdict.BLOCK, rule.id(), null, key)});
            }
        }
        for (Map.Entry<String, RuleAction> e : actions.entrySet()) { // loops, not lambdas: start-up path
            if (e.getValue() == RuleAction.OFF) {
                off.add(e.getKey());
            }
            ceilings.put(e.getKey(), e.getValue().ceiling());
        }
        paths.disable(off);
        this.pathRules = paths.build();
        this.processStartOn = !off.contains(Operation.PROCESS_START_RULE.id());
        this.nativeCodeOn = !off.contains(NativeCode.RULE.id());
        this.processSignalOn = !off.contains(Operation.PROCESS_SIGNAL_RULE.id());
        this.jvmDiagnosticsOn = !off.contains(JvmDiagnostics.RULE.id());
        for (Iterator<CommandRule> it = commandRules.iterator(); it.hasNext(); ) {
            if (off.contains(it.next().rule().id())) {
                it.remove();
            }
        }
    }

    /** The rules a policy can name without defining them: the default ruleset, process starts and host mounts. */
    public static List<Rule> knownRules() {
        List<Rule> rules = new ArrayList<>();
        rules.add(Operation.PROCESS_START_RULE);
        rules.addAll(PathRules.defaults().rules());
        rules.add(NativeCode.RULE);
        rules.addAll(DefaultNetworkRules.rules());
        rules.add(HostGuardFiles.RULE);
        rules.add(Operation.PROCESS_SIGNAL_RULE);
        rules.add(JvmDiagnostics.RULE);
        rules.add(new Rule(HOST_MOUNT, "host filesystem", EnumSet.of(FileAccess.READ, FileAccess.WRITE,
                FileAccess.LIST, FileAccess.CHANGE), "every host bind mount found at start-up", "/proc/self/mountinfo"));
        return rules;
    }

    /** Category overrides first, then id overrides (an id is more specific than its category). */
    private void resolveActions(List<RuleEntry> entries, Map<String, Rule> known) {
        for (RuleEntry entry : entries) {
            if (entry.id() == null && entry.action() != null) {
                for (Rule rule : known.values()) {
                    if (rule.category().equals(entry.category())) {
                        actions.put(rule.id(), entry.action());
                    }
                }
            }
        }
        for (RuleEntry entry : entries) {
            if (entry.id() != null && entry.action() != null) {
                actions.put(entry.id(), entry.action());
            }
        }
    }

    private void addPatterns(List<RuleEntry> entries, Map<String, Rule> known, PathRules.Builder paths) {
        for (RuleEntry entry : entries) {
            if (entry.id() == null || !entry.addsPatterns()) {
                continue;
            }
            Rule rule = known.get(entry.id());
            if (rule == null) {
                Set<FileAccess> accesses = EnumSet.noneOf(FileAccess.class);
                if (!entry.paths().isEmpty()) {
                    accesses.addAll(entry.accesses());
                }
                if (!entry.sockets().isEmpty()) {
                    accesses.addAll(SOCKET_ACCESSES);
                }
                if (!entry.commands().isEmpty()) {
                    accesses.add(FileAccess.EXECUTE);
                }
                if (!entry.endpoints().isEmpty()) {
                    accesses.add(FileAccess.CONNECT);
                }
                rule = new Rule(entry.id(), entry.category() != null ? entry.category() : "custom", accesses,
                        entry.description() != null ? entry.description() : "a rule of the policy file",
                        "policy file");
                known.put(rule.id(), rule);
                addedRules.add(rule);
                actions.putIfAbsent(rule.id(), RuleAction.BLOCK);
            }
            for (String path : entry.paths()) {
                Set<FileAccess> accesses = EnumSet.copyOf(entry.accesses());
                accesses.retainAll(rule.accesses());
                if (!accesses.isEmpty()) {
                    paths.path(rule, accesses, path);
                }
            }
            for (String socket : entry.sockets()) {
                Set<FileAccess> accesses = EnumSet.copyOf(SOCKET_ACCESSES);
                accesses.retainAll(rule.accesses());
                if (!accesses.isEmpty()) {
                    paths.fileName(rule, accesses, socket);
                }
            }
            if (!entry.commands().isEmpty()) {
                commandRules.add(new CommandRule(rule, entry.commands()));
            }
        }
    }

    public Policy policy() {
        return policy;
    }

    public Mode mode() {
        return mode;
    }

    /** The compiled path rules: defaults, host mounts and the policy's own, minus those switched off. */
    public PathRules pathRules() {
        return pathRules;
    }

    /**
     * Where runtimes keep their sockets ({@link RuntimeSocketHomes}), for a socket reached under another name: derived
     * from the environment once, when a connect first needs it (an immutable list: a race computes it twice, no more).
     */
    public List<String> runtimeSocketHomes() {
        List<String> homes = runtimeSocketHomes;
        if (homes == null) {
            homes = RuntimeSocketHomes.of(environment);
            runtimeSocketHomes = homes;
        }
        return homes;
    }

    /**
     * The compiled network rules: the control-plane defaults and the policy's endpoints, minus those switched off.
     * Compiled at the first call (the policy's endpoints were checked when it was read), so a service that makes no
     * connect in a request loads none of their classes.
     */
    public NetworkRules networkRules() {
        NetworkRules rules = networkRules;
        return rules != null ? rules : compileNetworkRules();
    }

    private synchronized NetworkRules compileNetworkRules() {
        if (networkRules == null) {
            NetworkRules.Builder network = NetworkRules.builder().addDefaults(environment);
            for (RuleEntry entry : policy.rules()) {
                if (entry.id() != null) {
                    for (Endpoint endpoint : entry.endpoints()) {
                        network.endpoint(rulesById.get(entry.id()), endpoint);
                    }
                }
            }
            networkRules = network.disable(off).build();
        }
        return networkRules;
    }

    /** HostGuard's own files, whose {@code hostguard-files} rule these path rules hold. */
    public HostGuardFiles ownFiles() {
        return ownFiles;
    }

    /** Rules the policy defined (ids not in the ruleset), in order. */
    public List<Rule> addedRules() {
        return List.copyOf(addedRules);
    }

    /** Rule actions the policy set, by rule id (categories expanded), in order. */
    public Map<String, RuleAction> ruleActions() {
        return java.util.Collections.unmodifiableMap(actions);
    }

    /**
     * Whether operations of a request are judged at all.
     *
     * @param keyFingerprint the fingerprint of the request's API key; {@code null} when it presents none
     */
    public boolean guards(AuthClass auth, String keyFingerprint) {
        return mode != Mode.OFF && verdictFor(auth, keyFingerprint) != Decision.Verdict.ALLOW;
    }

    /** The action for a request's findings: its key's ({@code auth.keys}) when an api-key request's key has one. */
    private Decision.Verdict verdictFor(AuthClass auth, String keyFingerprint) {
        KeyAction key = keyAction(auth, keyFingerprint);
        return key != null ? key.verdict() : authActions[auth.ordinal()];
    }

    /** The {@code auth.keys} entry for an api-key request's key; {@code null} for any other request. */
    private KeyAction keyAction(AuthClass auth, String keyFingerprint) {
        return auth == AuthClass.API_KEY && keyFingerprint != null && !keyActions.isEmpty()
                ? keyActions.get(keyFingerprint) : null;
    }

    /** The name {@code credentials.keys} gives a key's fingerprint; {@code null} when it names none. */
    public String keyName(String keyFingerprint) {
        return keyFingerprint == null || keyNames.isEmpty() ? null : keyNames.get(keyFingerprint);
    }

    /**
     * Whether every operation outside any request is judged (a policy's {@code outside-request: log|block}; costs the
     * hooks a check on every operation, file opens included).
     */
    public boolean guardsOutsideRequest() {
        return mode != Mode.OFF && outsideRequest != null && outsideRequest != Decision.Verdict.ALLOW;
    }

    /**
     * Whether, outside requests, only the container-escape operations are judged, and logged: a policy that sets no
     * {@code outside-request} (the default). Process starts, native code and JVM diagnostics are rare and cost
     * microseconds to milliseconds anyway, while an unknown entry point (remote input
     * HostGuard does not recognise, a timer an attacker scheduled) must not run them silently; file opens, the JVM's
     * hot path, stay unjudged. The facade raises it once the service served its first request: start-up runs before
     * any remote input can have reached the service.
     */
    public boolean logsOutsideEscapes() {
        return mode != Mode.OFF && outsideRequest == null;
    }

    /** The default's action outside requests ({@link #logsOutsideEscapes()}): log an escape operation, allow the rest. */
    private static Decision.Verdict escapeVerdict(Operation operation) {
        return switch (operation.action()) {
            case PROCESS_START, NATIVE_LOAD, NATIVE_DOWNCALL, JVM_DIAGNOSTIC -> Decision.Verdict.LOG;
            default -> Decision.Verdict.ALLOW;
        };
    }

    /** The rule a process start matches: the policy's command rules first, then {@code process-start}; or null. */
    public Rule processRule(List<String> command) {
        if (!commandRules.isEmpty() && !command.isEmpty()) {
            for (CommandRule rule : commandRules) {
                if (rule.matches(command.get(0))) {
                    return rule.rule();
                }
            }
        }
        return processStartOn ? Operation.PROCESS_START_RULE : null;
    }

    /** The rule a signal to another process matches ({@code process-signal}); {@code null} when switched off. */
    public Rule processSignalRule() {
        return processSignalOn ? Operation.PROCESS_SIGNAL_RULE : null;
    }

    /** The rule a JVM diagnostic matches ({@link JvmDiagnostics}); {@code null} when switched off. */
    public Rule jvmDiagnosticsRule() {
        return jvmDiagnosticsOn ? JvmDiagnostics.RULE : null;
    }

    /** The rule native code matches ({@link NativeCode}); {@code null} when the policy switched it off. */
    public Rule nativeCodeRule() {
        return nativeCodeOn ? NativeCode.RULE : null;
    }

    /** As {@link #decide(Operation, AuthClass, String, String, String)} for a request on no particular route. */
    public Decision decide(Operation operation, AuthClass auth) {
        return decide(operation, auth, null, null, null);
    }

    /** As {@link #decide(Operation, AuthClass, String, String, String)} for a request without an API key. */
    public Decision decide(Operation operation, AuthClass auth, String method, String path) {
        return decide(operation, auth, null, method, path);
    }

    /**
     * @param auth the request's authentication class; {@code null} for an operation outside any request
     * @param keyFingerprint the fingerprint of the request's API key ({@code api_key.fingerprint}), computed once per
     *     request; {@code null} when it presents none
     * @param method the request's method, {@code null} outside a request
     * @param path the request's path, {@code null} outside a request
     */
    public Decision decide(Operation operation, AuthClass auth, String keyFingerprint, String method, String path) {
        Rule rule = operation.rule();
        if (rule == null || mode == Mode.OFF) {
            return Decision.ALLOW;
        }
        KeyAction byKey = auth == null ? null : keyAction(auth, keyFingerprint);
        Decision.Verdict verdict = auth == null ? (outsideRequest != null ? outsideRequest : escapeVerdict(operation))
                : byKey != null ? byKey.verdict() : authActions[auth.ordinal()];
        boolean ownFile = rule == HostGuardFiles.RULE;
        if (ownFile && auth != null && verdict == Decision.Verdict.LOG) {
            verdict = Decision.Verdict.BLOCK; // a guarded request never rewrites the audit trail or the policy
        }
        Decision.Verdict ceiling = ceilings.get(rule.id());
        if (ceiling != null) {
            verdict = Decision.Verdict.milder(verdict, ceiling);
        }
        if (verdict == Decision.Verdict.ALLOW) {
            return Decision.ALLOW;
        }
        String authLabel = auth == null ? OUTSIDE_REQUEST : auth.label();
        for (AllowEntry entry : allow) {
            if (entry.matchesOperation(operation, authLabel, keyFingerprint, method, path) && entry.callerOnStack()) {
                return new Decision(Decision.Verdict.ALLOW, rule.id(), entry);
            }
        }
        if (verdict == Decision.Verdict.BLOCK && mode != Mode.BLOCK && !(ownFile && auth != null)) {
            verdict = Decision.Verdict.LOG;
        }
        Decision[] byVerdict = (byKey != null ? keyDecisions.get(byKey.fingerprint()) : decisions).get(rule.id());
        return byVerdict != null ? byVerdict[verdict.ordinal()] : new Decision(verdict, rule.id(), null, byKey);
    }

    /** A rule of the policy on commands: bare names match the executable in any directory, paths exactly. */
    private record CommandRule(Rule rule, Set<String> names, List<Glob> paths) {
        CommandRule(Rule rule, List<String> commands) {
            this(rule, namesOf(commands), pathsOf(commands));
        }

        private static Set<String> namesOf(List<String> commands) {
            Set<String> names = new HashSet<>();
            for (String c : commands) {
                if (c.indexOf('/') < 0) {
                    names.add(c);
                }
            }
            return names;
        }

        private static List<Glob> pathsOf(List<String> commands) {
            List<Glob> paths = new ArrayList<>();
            for (String c : commands) {
                if (c.indexOf('/') >= 0) {
                    paths.add(new Glob(c));
                }
            }
            return List.copyOf(paths);
        }

        boolean matches(String executable) {
            if (names.contains(executable.substring(executable.lastIndexOf('/') + 1))) {
                return true;
            }
            if (!paths.isEmpty()) {
                String resolved = Executables.resolve(executable, null);
                for (Glob path : paths) {
                    if (path.matches(resolved) || path.matches(executable)) {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}

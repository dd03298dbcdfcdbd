package dev.hostguard.agent.config;

import dev.hostguard.agent.policy.Action;
import dev.hostguard.agent.policy.AllowEntry;
import dev.hostguard.agent.policy.AuthClass;
import dev.hostguard.agent.policy.BearerTokens;
import dev.hostguard.agent.policy.CredentialSettings;
import dev.hostguard.agent.policy.Decision;
import dev.hostguard.agent.policy.DefaultNetworkRules;
import dev.hostguard.agent.policy.Endpoint;
import dev.hostguard.agent.policy.EventSettings;
import dev.hostguard.agent.policy.FileAccess;
import dev.hostguard.agent.policy.Glob;
import dev.hostguard.agent.policy.KeyAction;
import dev.hostguard.agent.policy.Mode;
import dev.hostguard.agent.policy.PathRules;
import dev.hostguard.agent.policy.Policy;
import dev.hostguard.agent.policy.PolicyEngine;
import dev.hostguard.agent.policy.PrincipalPatterns;
import dev.hostguard.agent.policy.ResponseTemplate;
import dev.hostguard.agent.policy.Rule;
import dev.hostguard.agent.policy.RuleAction;
import dev.hostguard.agent.policy.RuleEntry;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads a policy file (the format of {@code examples/policy.yaml}; JSON, being YAML 1.2, reads the same) into a
 * {@link Policy}. Strict: an unknown key, a value of the wrong type or outside its set is an error naming its
 * line and column, what was expected and, for a misspelled word, the closest known one. Every problem of the
 * file is collected and reported at once; only a file that has none becomes a policy.
 */
public final class PolicyParser {
    private static final List<String> TOP = List.of("version", "mode", "auth", "credentials", "rules", "allow",
            "events", "response");
    private static final List<String> AUTH = List.of("api-key", "none", "user", "mtls", "message", "outside-request");
    /** The keys of the {@code auth} section: the classes, and {@code keys} for single API keys. */
    private static final List<String> AUTH_SECTION = List.of("api-key", "none", "user", "mtls", "message",
            "outside-request", "keys");
    private static final List<String> CREDENTIALS = List.of("headers", "authorization-schemes", "query-parameters",
            "replace-defaults", "api-key-principals", "person-principals", "bearer-tokens", "keys");
    private static final List<String> PRINCIPALS = List.of("names", "classes");
    private static final List<String> BEARER_TOKENS = List.of("owner", "person-claims");
    private static final List<String> OWNERS = List.of("client", "person");
    private static final List<String> RULE = List.of("id", "category", "description", "paths", "access", "sockets",
            "commands", "endpoints", "action");
    private static final List<String> ALLOW = List.of("operation", "executable", "args", "path", "access", "endpoint",
            "route", "auth", "key", "caller", "reason", "command", "diagnostic", "signal");
    private static final List<String> EVENTS = List.of("sink", "rate-limit", "stack-depth");
    private static final List<String> RESPONSE = List.of("status", "content-type", "body");
    private static final List<String> OPERATIONS = List.of("process-start", "file-open", "directory-list",
            "unix-connect", "native-load", "native-downcall",
            "network-connect",
            "file-rename", "file-link", "file-symlink", "file-delete", "file-create", "file-attributes",
            "jvm-diagnostic", "process-signal");
    private static final Pattern RULE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern KEY_NAME = RULE_ID;
    private static final Pattern RATE = Pattern.compile("(\\d{1,9})\\s*/\\s*s");
    private static final Pattern METHOD = Pattern.compile("[A-Za-z]+|\\*");
    private static final Pattern CALLER = Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*\\.?");
    private static final int MAX_STACK_DEPTH = 64;
    /** The rules of the ruleset a policy can add endpoints to. */
    private static final List<String> NETWORK_RULES = networkRuleIds();

    private final String source;
    private final List<PolicyProblem> problems = new ArrayList<>();
    private final Map<String, Rule> knownRules = new LinkedHashMap<>();
    private final Set<String> knownCategories = new LinkedHashSet<>();
    /** {@code credentials.keys}: name to fingerprint, read before the parts that name keys. */
    private Map<String, String> keyNames = Map.of();

    private PolicyParser(String source) {
        this.source = source;
        for (Rule rule : PolicyEngine.knownRules()) {
            knownRules.putIfAbsent(rule.id(), rule);
            knownCategories.add(rule.category());
        }
    }

    /**
     * @param source how errors name the file (its path)
     * @throws InvalidPolicyException with every problem found
     */
    public static Policy parse(String text, String source) throws InvalidPolicyException {
        return new PolicyParser(source).read(text);
    }

    private Policy read(String text) throws InvalidPolicyException {
        Optional<Node> root;
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(source).setSchema(new CoreSchema())
                    .setAllowDuplicateKeys(true) // reported below, with both places
                    .build();
            root = new Compose(settings).composeString(text);
        } catch (MarkedYamlEngineException e) {
            Mark mark = e.getProblemMark().or(e::getContextMark).orElse(null);
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            String context = e.getContext() != null ? " (" + e.getContext() + ")" : "";
            problems.add(mark == null ? new PolicyProblem(source, 0, 0, "not valid YAML: " + problem + context)
                    : new PolicyProblem(source, mark.getLine() + 1, mark.getColumn() + 1,
                            "not valid YAML: " + problem + context));
            throw new InvalidPolicyException(problems);
        } catch (YamlEngineException e) {
            problems.add(new PolicyProblem(source, 0, 0, "not valid YAML: " + e.getMessage()));
            throw new InvalidPolicyException(problems);
        }
        Policy policy = root.isEmpty() ? Policy.DEFAULT : policy(root.get());
        if (!problems.isEmpty()) {
            problems.sort(java.util.Comparator.comparingInt(PolicyProblem::line)
                    .thenComparingInt(PolicyProblem::column));
            throw new InvalidPolicyException(problems);
        }
        return policy;
    }

    // ---- the parts of the file ----

    private Policy policy(Node root) {
        Map<String, Node> top = mapping(root, "the policy", TOP);
        if (top == null) {
            return Policy.DEFAULT;
        }
        if (top.containsKey("version")) {
            Node version = top.get("version");
            Integer v = integer(version, "version");
            if (v != null && v != 1) {
                problem(version, "unsupported version " + v + "; expected 1");
            }
        }
        Mode mode = top.containsKey("mode") ? oneOf(top.get("mode"), "mode", Mode.class, List.of("audit", "block", "off"))
                : null;
        CredentialSettings credentials = top.containsKey("credentials") ? credentials(top.get("credentials"))
                : CredentialSettings.DEFAULTS;
        keyNames = credentials.keys();
        Map<AuthClass, Decision.Verdict> auth = new EnumMap<>(Policy.defaultAuth());
        Decision.Verdict outside = Policy.DEFAULT.outsideRequest();
        List<KeyAction> keyActions = new ArrayList<>();
        Map<String, Node> authNode = top.containsKey("auth") ? mapping(top.get("auth"), "auth", AUTH_SECTION) : null;
        if (authNode != null) {
            for (Map.Entry<String, Node> e : authNode.entrySet()) {
                if (e.getKey().equals("keys")) {
                    keyActions = keyActions(e.getValue());
                    continue;
                }
                Decision.Verdict verdict = oneOf(e.getValue(), "auth." + e.getKey(), Decision.Verdict.class,
                        List.of("block", "log", "allow"));
                if (verdict == null) {
                    continue;
                }
                if (e.getKey().equals(PolicyEngine.OUTSIDE_REQUEST)) {
                    outside = verdict;
                } else {
                    auth.put(authClass(e.getKey()), verdict);
                }
            }
        }
        List<RuleEntry> rules = new ArrayList<>();
        for (Node entry : sequence(top.get("rules"), "rules")) {
            RuleEntry rule = rule(entry);
            if (rule != null) {
                rules.add(rule);
            }
        }
        List<AllowEntry> allow = new ArrayList<>();
        List<Node> allowNodes = sequence(top.get("allow"), "allow");
        for (int i = 0; i < allowNodes.size(); i++) {
            AllowEntry entry = allow(allowNodes.get(i), i + 1);
            if (entry != null) {
                allow.add(entry);
            }
        }
        EventSettings events = top.containsKey("events") ? events(top.get("events")) : EventSettings.DEFAULTS;
        ResponseTemplate response = top.containsKey("response") ? response(top.get("response"))
                : ResponseTemplate.DEFAULT;
        return new Policy(mode, auth, outside, keyActions, credentials, rules, allow, events, response);
    }

    private static List<String> networkRuleIds() {
        List<String> ids = new ArrayList<>();
        for (Rule rule : DefaultNetworkRules.rules()) {
            ids.add(rule.id());
        }
        return List.copyOf(ids);
    }

    private static AuthClass authClass(String label) {
        for (AuthClass auth : AuthClass.values()) {
            if (auth.label().equals(label)) {
                return auth;
            }
        }
        throw new IllegalArgumentException(label);
    }

    private CredentialSettings credentials(Node node) {
        Map<String, Node> map = mapping(node, "credentials", CREDENTIALS);
        if (map == null) {
            return CredentialSettings.DEFAULTS;
        }
        CredentialSettings d = CredentialSettings.DEFAULTS;
        boolean replace = map.containsKey("replace-defaults")
                && Boolean.TRUE.equals(bool(map.get("replace-defaults"), "credentials.replace-defaults"));
        List<String> headers = strings(map.get("headers"), "credentials.headers");
        List<String> schemes = strings(map.get("authorization-schemes"), "credentials.authorization-schemes");
        List<String> parameters = strings(map.get("query-parameters"), "credentials.query-parameters");
        return new CredentialSettings(
                replace ? headers : CredentialSettings.withDefaults(d.headers(), headers, true),
                replace ? schemes : CredentialSettings.withDefaults(d.authorizationSchemes(), schemes, true),
                replace ? parameters : CredentialSettings.withDefaults(d.queryParameters(), parameters, false),
                replace, principals(map.get("api-key-principals"), "credentials.api-key-principals"),
                principals(map.get("person-principals"), "credentials.person-principals"),
                bearerTokens(map.get("bearer-tokens")), keys(map.get("keys")));
    }

    /** {@code credentials.keys}: a name for each key's fingerprint, each name and fingerprint once. */
    private Map<String, String> keys(Node node) {
        Map<String, String> keys = new LinkedHashMap<>();
        if (node == null || isNull(node)) {
            return keys;
        }
        Map<String, Node> byFingerprint = new LinkedHashMap<>();
        Map<String, Node> names = new LinkedHashMap<>();
        for (NodeTuple e : freeMapping(node, "credentials.keys",
                "a name for each key's fingerprint, e.g. {ci-bot: 3f2a9c1e7b04}")) {
            String name = ((ScalarNode) e.getKeyNode()).getValue();
            if (names.containsKey(name)) {
                problem(e.getKeyNode(), "key '" + name + "' named twice in credentials.keys (first at line "
                        + line(names.get(name)) + ")");
                continue;
            }
            names.put(name, e.getKeyNode());
            if (!KEY_NAME.matcher(name).matches() || CredentialSettings.isFingerprint(name)) {
                problem(e.getKeyNode(), "bad key name '" + name + "'; expected a word of letters, digits, '.', '_' and"
                        + " '-' (e.g. ci-bot) that is not itself 12 hex digits");
                continue;
            }
            String fingerprint = fingerprint(e.getValueNode(), "the fingerprint of key '" + name + "'");
            if (fingerprint == null) {
                continue;
            }
            Node first = byFingerprint.putIfAbsent(fingerprint, e.getKeyNode());
            if (first != null) {
                problem(e.getValueNode(), "fingerprint " + fingerprint + " named twice in credentials.keys ('"
                        + ((ScalarNode) first).getValue() + "' at line " + line(first) + ", and '" + name + "')");
                continue;
            }
            keys.put(name, fingerprint);
        }
        return keys;
    }

    /** A key's fingerprint as events write it ({@code api_key.fingerprint}); {@code null} after a problem. */
    private String fingerprint(Node node, String what) {
        String text = string(node, what);
        if (text == null) {
            return null;
        }
        String fingerprint = text.trim().toLowerCase(Locale.ROOT);
        if (!CredentialSettings.isFingerprint(fingerprint)) {
            problem(node, "bad fingerprint '" + text + "' for " + what + "; expected the 12 hex digits of the"
                    + " key's api_key.fingerprint in its events (e.g. 3f2a9c1e7b04)");
            return null;
        }
        return fingerprint;
    }

    /**
     * A key named in {@code auth.keys} or an allow entry's {@code key}: a name from {@code credentials.keys}, or a
     * fingerprint. {@code null} after a problem.
     */
    private String keyReference(Node node, String what) {
        String text = string(node, what);
        if (text == null) {
            return null;
        }
        String named = keyNames.get(text);
        if (named != null) {
            return named;
        }
        String fingerprint = text.trim().toLowerCase(Locale.ROOT);
        if (CredentialSettings.isFingerprint(fingerprint)) {
            return fingerprint;
        }
        List<String> known = new ArrayList<>(keyNames.keySet());
        problem(node, "unknown key '" + text + "' in " + what + "; expected "
                + (known.isEmpty() ? "" : "a name from credentials.keys (" + String.join(", ", known) + ") or ")
                + "a key's fingerprint (12 hex digits, as api_key.fingerprint in its events)"
                + Suggestions.didYouMean(text, known));
        return null;
    }

    /** {@code auth.keys}: a key (name or fingerprint) to its action, each key once. */
    private List<KeyAction> keyActions(Node node) {
        List<KeyAction> actions = new ArrayList<>();
        if (isNull(node)) {
            return actions;
        }
        Map<String, Node> seen = new LinkedHashMap<>();
        for (NodeTuple e : freeMapping(node, "auth.keys",
                "a key (a name from credentials.keys, or a fingerprint) and its action, e.g. {ci-bot: log}")) {
            String label = ((ScalarNode) e.getKeyNode()).getValue();
            String fingerprint = keyReference(e.getKeyNode(), "auth.keys");
            Decision.Verdict verdict = oneOf(e.getValueNode(), "auth.keys." + label, Decision.Verdict.class,
                    List.of("block", "log", "allow"));
            if (fingerprint == null || verdict == null) {
                continue;
            }
            Node first = seen.putIfAbsent(fingerprint, e.getKeyNode());
            if (first != null) {
                problem(e.getKeyNode(), "key '" + label + "' given twice in auth.keys (first at line " + line(first)
                        + (((ScalarNode) first).getValue().equals(label) ? "" : ", as '" + ((ScalarNode) first).getValue() + "'")
                        + ")");
                continue;
            }
            actions.add(new KeyAction(label, fingerprint, verdict));
        }
        return actions;
    }

    private PrincipalPatterns principals(Node node, String what) {
        Map<String, Node> principals = node == null ? null : mapping(node, what, PRINCIPALS);
        if (principals == null) {
            return PrincipalPatterns.NONE;
        }
        List<String> classes = strings(principals.get("classes"), what + ".classes");
        for (int i = 0; i < classes.size(); i++) {
            if (!CALLER.matcher(classes.get(i)).matches() || classes.get(i).endsWith(".")) {
                problem(element(principals.get("classes"), i), "'" + classes.get(i) + "' is not a class name;"
                        + " expected a fully qualified name such as com.example.ApiKeyPrincipal");
            }
        }
        return new PrincipalPatterns(strings(principals.get("names"), what + ".names"), classes);
    }

    private BearerTokens bearerTokens(Node node) {
        Map<String, Node> bearer = node == null ? null : mapping(node, "credentials.bearer-tokens", BEARER_TOKENS);
        if (bearer == null) {
            return BearerTokens.CLIENTS;
        }
        boolean person = false;
        if (bearer.containsKey("owner")) {
            String owner = string(bearer.get("owner"), "credentials.bearer-tokens.owner");
            if (owner != null && !OWNERS.contains(owner)) {
                problem(bearer.get("owner"), "bad value '" + owner + "' for credentials.bearer-tokens.owner;"
                        + " expected " + String.join(", ", OWNERS) + Suggestions.didYouMean(owner, OWNERS));
            }
            person = "person".equals(owner);
        }
        return new BearerTokens(person, strings(bearer.get("person-claims"), "credentials.bearer-tokens.person-claims"));
    }

    private RuleEntry rule(Node node) {
        Map<String, Node> map = mapping(node, "a rule", RULE);
        if (map == null) {
            return null;
        }
        String id = map.containsKey("id") ? string(map.get("id"), "id") : null;
        String category = map.containsKey("category") ? string(map.get("category"), "category") : null;
        String description = map.containsKey("description") ? string(map.get("description"), "description") : null;
        List<String> paths = strings(map.get("paths"), "paths");
        List<String> sockets = strings(map.get("sockets"), "sockets");
        List<String> commands = strings(map.get("commands"), "commands");
        List<Endpoint> endpoints = endpoints(map.get("endpoints"));
        RuleAction action = map.containsKey("action")
                ? oneOf(map.get("action"), "action", RuleAction.class, List.of("block", "log", "off")) : null;
        // a protected path refuses its changes (mode, owner, times, xattrs) too, unless 'access' says otherwise
        Set<FileAccess> accesses = EnumSet.of(FileAccess.READ, FileAccess.WRITE, FileAccess.CHANGE);
        if (map.containsKey("access")) {
            Set<FileAccess> given = accesses(map.get("access"), List.of("read", "write", "list", "change"));
            if (given != null) {
                accesses = given;
            }
            if (!map.containsKey("paths")) {
                problem(map.get("access"), "'access' applies to 'paths'; this rule has none");
            }
        }
        boolean addsPatterns = !paths.isEmpty() || !sockets.isEmpty() || !commands.isEmpty()
                || map.containsKey("endpoints");
        if (id == null && category == null) {
            problem(node, "a rule needs an 'id' (a rule of the ruleset, or a new one) or a 'category'");
            return null;
        }
        if (id == null) {
            if (!knownCategories.contains(category)) {
                problem(map.get("category"), "unknown category '" + category + "'"
                        + Suggestions.didYouMean(category, knownCategories) + " (known: "
                        + String.join(", ", knownCategories) + ")");
            }
            if (addsPatterns) {
                problem(node, "a rule with paths, sockets, commands or endpoints needs an 'id'");
            }
            if (action == null && map.containsKey("category")) {
                problem(node, "a category entry needs an 'action' (block, log or off)");
            }
            return new RuleEntry(null, category, description, paths, accesses, sockets, commands, action, endpoints);
        }
        if (!RULE_ID.matcher(id).matches()) {
            problem(map.get("id"), "bad rule id '" + id + "'; expected letters, digits, '.', '_' and '-'");
        }
        Rule known = knownRules.get(id);
        if (known == null && !addsPatterns) {
            problem(map.get("id"), "unknown rule '" + id + "'" + Suggestions.didYouMean(id, knownRules.keySet())
                    + "; a rule of your own needs paths, sockets, commands or endpoints");
        }
        if (known != null && category != null && !category.equals(known.category())) {
            problem(map.get("category"), "rule '" + id + "' is in category '" + known.category() + "', not '"
                    + category + "'");
        }
        if (known != null && !commands.isEmpty()) {
            problem(map.get("commands"), "commands can only be added to a rule of your own, not to '" + id + "'");
        }
        if (known != null && map.containsKey("endpoints") && !NETWORK_RULES.contains(id)) {
            problem(map.get("endpoints"), "endpoints can only be added to a network rule (" + String.join(", ",
                    NETWORK_RULES) + ") or a rule of your own, not to '" + id + "'");
        }
        checkRulePaths(map.get("paths"), paths);
        checkNames(map.get("sockets"), sockets, "a socket is matched by its file name; expected a name without '/'");
        checkNames(map.get("commands"), commands, null);
        return new RuleEntry(id, category, description, paths, accesses, sockets, commands, action, endpoints);
    }

    /** A rule's {@code endpoints}: each read as {@link Endpoint#parse} reads it, each problem at its own line. */
    private List<Endpoint> endpoints(Node node) {
        List<Endpoint> endpoints = new ArrayList<>();
        if (node == null) {
            return endpoints;
        }
        List<String> given = strings(node, "endpoints");
        if (given.isEmpty() && node instanceof SequenceNode) {
            problem(node, "an empty endpoints list; " + Endpoint.EXPECTED);
        }
        for (int i = 0; i < given.size(); i++) {
            Endpoint endpoint = endpoint(element(node, i), given.get(i));
            if (endpoint != null) {
                endpoints.add(endpoint);
            }
        }
        return endpoints;
    }

    private Endpoint endpoint(Node node, String text) {
        try {
            return Endpoint.parse(text);
        } catch (Endpoint.InvalidEndpointException e) {
            problem(node, "bad endpoint: " + e.getMessage());
            return null;
        }
    }

    private void checkRulePaths(Node node, List<String> paths) {
        for (int i = 0; i < paths.size(); i++) {
            String unsupported = PathRules.Builder.unsupportedPath(paths.get(i));
            if (unsupported != null) {
                problem(element(node, i), unsupported);
            }
        }
    }

    private void checkNames(Node node, List<String> names, String slashProblem) {
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (name.isBlank()) {
                problem(element(node, i), "an empty name");
            } else if (slashProblem != null && name.indexOf('/') >= 0) {
                problem(element(node, i), slashProblem);
            }
        }
    }

    private AllowEntry allow(Node node, int index) {
        Map<String, Node> map = mapping(node, "an allow entry", ALLOW);
        if (map == null) {
            return null;
        }
        int before = problems.size();
        Action operation = null;
        if (!map.containsKey("operation")) {
            problem(node, "an allow entry needs an 'operation' (" + String.join(", ", OPERATIONS) + ")");
        } else {
            String op = string(map.get("operation"), "operation");
            if (op != null) {
                operation = switch (op) {
                    case "process-start" -> Action.PROCESS_START;
                    case "file-open" -> Action.FILE_OPEN;
                    case "directory-list" -> Action.DIRECTORY_LIST;
                    case "unix-connect" -> Action.UNIX_CONNECT;
                    case "native-load" -> Action.NATIVE_LOAD;
                    case "native-downcall" -> Action.NATIVE_DOWNCALL;
                    case "network-connect" -> Action.NETWORK_CONNECT;
                    case "file-rename" -> Action.FILE_RENAME;
                    case "file-link" -> Action.FILE_LINK;
                    case "file-symlink" -> Action.FILE_SYMLINK;
                    case "file-delete" -> Action.FILE_DELETE;
                    case "file-create" -> Action.FILE_CREATE;
                    case "file-attributes" -> Action.FILE_ATTRIBUTES;
                    case "jvm-diagnostic" -> Action.JVM_DIAGNOSTIC;
                    case "process-signal" -> Action.PROCESS_SIGNAL;
                    default -> {
                        problem(map.get("operation"), "unknown operation '" + op + "'; expected one of "
                                + String.join(", ", OPERATIONS) + Suggestions.didYouMean(op, OPERATIONS));
                        yield null;
                    }
                };
            }
        }
        String reason = map.containsKey("reason") ? string(map.get("reason"), "reason") : null;
        if (reason == null || reason.isBlank()) {
            if (!map.containsKey("reason")) {
                problem(node, "an allow entry needs a 'reason' (it appears in every event the entry allows)");
            } else if (reason != null) {
                problem(map.get("reason"), "an empty reason");
            }
        }
        Glob executable = null;
        List<Glob> args = null;
        Glob path = null;
        Endpoint endpoint = null;
        Set<FileAccess> accesses = EnumSet.of(FileAccess.READ);
        if (operation != Action.NETWORK_CONNECT && operation != null) {
            notFor(map, "endpoint", operation);
        }
        if (operation != Action.JVM_DIAGNOSTIC && operation != null) {
            notFor(map, "command", operation);
            notFor(map, "diagnostic", operation);
        }
        if (operation != Action.PROCESS_SIGNAL && operation != null) {
            notFor(map, "signal", operation);
        }
        if (operation == Action.JVM_DIAGNOSTIC || operation == Action.PROCESS_SIGNAL) {
            // ProcessControlEntries: a diagnostic's command glob is kept as the entry's path, its kind and a
            // signal entry's signals as its args
            notFor(map, "executable", operation);
            notFor(map, "args", operation);
            notFor(map, "path", operation);
            notFor(map, "access", operation);
            if (operation == Action.JVM_DIAGNOSTIC) {
                if (!map.containsKey("command")) {
                    problem(node, "a jvm-diagnostic entry needs a 'command' (a glob on the event's"
                            + " hostguard.jvm_command: \"gcClassHistogram\", \"dumpHeap /dumps/*.hprof\")");
                } else {
                    String command = string(map.get("command"), "command");
                    if (command != null) {
                        path = new Glob(command);
                    }
                }
                if (map.containsKey("diagnostic")) {
                    String kind = string(map.get("diagnostic"), "diagnostic");
                    if (kind != null && !ProcessControlEntries.DIAGNOSTICS.contains(kind)) {
                        problem(map.get("diagnostic"), "unknown diagnostic '" + kind + "'; expected "
                                + String.join(", ", ProcessControlEntries.DIAGNOSTICS)
                                + Suggestions.didYouMean(kind, ProcessControlEntries.DIAGNOSTICS));
                    } else if (kind != null) {
                        args = List.of(new Glob(kind));
                    }
                }
            } else if (map.containsKey("signal")) {
                args = new ArrayList<>();
                List<String> given = strings(map.get("signal"), "signal");
                for (int i = 0; i < given.size(); i++) {
                    if (!ProcessControlEntries.SIGNALS.contains(given.get(i))) {
                        problem(element(map.get("signal"), i), "unknown signal '" + given.get(i) + "'; expected "
                                + String.join(", ", ProcessControlEntries.SIGNALS)
                                + Suggestions.didYouMean(given.get(i), ProcessControlEntries.SIGNALS));
                    }
                    args.add(new Glob(given.get(i)));
                }
                if (given.isEmpty()) {
                    problem(map.get("signal"), "an empty signal list; expected some of "
                            + String.join(", ", ProcessControlEntries.SIGNALS) + " (or no 'signal': any)");
                }
            }
        } else if (operation == Action.NETWORK_CONNECT) {
            notFor(map, "executable", operation);
            notFor(map, "args", operation);
            notFor(map, "path", operation);
            notFor(map, "access", operation);
            if (!map.containsKey("endpoint")) {
                problem(node, "a network-connect entry needs an 'endpoint' (" + Endpoint.EXPECTED + ")");
            } else {
                String text = string(map.get("endpoint"), "endpoint");
                if (text != null) {
                    endpoint = endpoint(map.get("endpoint"), text);
                }
            }
        } else if (operation == Action.PROCESS_START) {
            notFor(map, "path", operation);
            notFor(map, "access", operation);
            if (!map.containsKey("executable")) {
                problem(node, "a process-start entry needs an 'executable' (a path, a glob or a bare name)");
            } else {
                executable = glob(map.get("executable"), "executable", false);
            }
            if (map.containsKey("args")) {
                args = new ArrayList<>();
                List<String> given = strings(map.get("args"), "args");
                for (int i = 0; i < given.size(); i++) {
                    if (given.get(i).equals("**") && i != given.size() - 1) {
                        problem(element(map.get("args"), i), "'**' (any remaining arguments) must come last");
                    }
                    args.add(new Glob(given.get(i))); // "" is an empty argument, as commands have them (learn writes it)
                }
            }
        } else if (operation != null) {
            notFor(map, "executable", operation);
            notFor(map, "args", operation);
            if (!map.containsKey("path")) {
                problem(node, "a " + operation.eventAction() + " entry needs a 'path' (a glob)");
            } else {
                // native code: a library's path or bare name (JNA, FFM), or a downcall's function: any glob
                path = glob(map.get("path"), "path",
                        operation != Action.NATIVE_LOAD && operation != Action.NATIVE_DOWNCALL);
            }
            if (operation.changesFiles()) {
                accesses = FileChangeEntries.accesses(operation);
            }
            if (map.containsKey("access")) {
                if (operation.changesFiles()) {
                    Set<FileAccess> given = accesses(map.get("access"), FileChangeEntries.accessLabels(operation));
                    if (given != null) {
                        accesses = given;
                    }
                } else if (operation != Action.FILE_OPEN) {
                    notFor(map, "access", operation);
                } else {
                    Set<FileAccess> given = accesses(map.get("access"), List.of("read", "write"));
                    if (given != null) {
                        accesses = given;
                    }
                }
            }
        }
        String routeMethod = null;
        Glob routePath = null;
        if (map.containsKey("route")) {
            String route = string(map.get("route"), "route");
            if (route != null) {
                String[] parts = route.trim().split("\\s+");
                String glob = parts[parts.length - 1];
                if (parts.length > 2 || parts.length == 2 && !METHOD.matcher(parts[0]).matches()
                        || !glob.startsWith("/")) {
                    problem(map.get("route"), "bad route '" + route + "'; expected \"METHOD /path-glob\" (e.g."
                            + " \"POST /backup\"), \"* /path-glob\" or \"/path-glob\"");
                } else {
                    routeMethod = parts.length == 2 && !parts[0].equals("*") ? parts[0].toUpperCase(Locale.ROOT) : null;
                    routePath = new Glob(glob);
                }
            }
        }
        Set<String> auth = new LinkedHashSet<>();
        List<String> authGiven = strings(map.get("auth"), "auth");
        for (int i = 0; i < authGiven.size(); i++) {
            if (AUTH.contains(authGiven.get(i))) {
                auth.add(authGiven.get(i));
            } else {
                problem(element(map.get("auth"), i), "unknown authentication class '" + authGiven.get(i)
                        + "'; expected " + String.join(", ", AUTH) + Suggestions.didYouMean(authGiven.get(i), AUTH));
            }
        }
        Set<String> keys = new LinkedHashSet<>();
        if (map.containsKey("key")) {
            Node keyNode = map.get("key");
            List<Node> given = keyNode instanceof SequenceNode list ? list.getValue() : List.of(keyNode);
            for (Node one : given) {
                String fingerprint = keyReference(one, "an allow entry's key");
                if (fingerprint != null) {
                    keys.add(fingerprint);
                }
            }
            if (given.isEmpty()) {
                problem(keyNode, "an empty key list; expected a key's name or fingerprint (or no 'key': any request)");
            }
            if (!auth.isEmpty() && !auth.contains(AuthClass.API_KEY.label())) {
                problem(keyNode, "'key' narrows an entry to api-key requests with that key, but its auth ("
                        + String.join(", ", auth) + ") leaves out api-key");
            }
        }
        String caller = null;
        if (map.containsKey("caller")) {
            caller = string(map.get("caller"), "caller");
            if (caller != null && !CALLER.matcher(caller).matches()) {
                problem(map.get("caller"), "bad caller '" + caller + "'; expected a class name"
                        + " (com.example.Backup) or a package prefix ending in '.' (com.example.backup.)");
            }
        }
        if (problems.size() > before || operation == null) {
            return null;
        }
        return new AllowEntry(index, operation, executable, args, path, accesses, routeMethod, routePath, auth,
                caller, reason, endpoint, keys);
    }

    private void notFor(Map<String, Node> map, String key, Action operation) {
        if (map.containsKey(key)) {
            problem(map.get(key), "'" + key + "' does not apply to " + operation.eventAction()
                    + switch (operation) {
                        case PROCESS_START -> " (it takes executable and args)";
                        case FILE_OPEN -> " (it takes path and access)";
                        case NETWORK_CONNECT -> " (it takes endpoint)";
                        case JVM_DIAGNOSTIC -> " (it takes command and diagnostic)";
                        case PROCESS_SIGNAL -> " (it takes signal)";
                        default -> " (it takes path)";
                    });
        }
    }

    /** A glob; an absolute one for paths, spelled as canonical paths are ({@code /proc/self} is this process). */
    private Glob glob(Node node, String what, boolean absolutePath) {
        String text = string(node, what);
        if (text == null) {
            return null;
        }
        if (text.isEmpty()) {
            problem(node, "an empty " + what);
            return null;
        }
        if (absolutePath) {
            if (!text.startsWith("/")) {
                problem(node, "'" + text + "' is not absolute; a " + what + " glob must start with '/'");
                return null;
            }
            return new Glob(canonicalSpelling(text), text);
        }
        return new Glob(text);
    }

    /**
     * Canonical paths never say {@code /proc/self}, {@code /proc/thread-self} or {@code /var/run}: write the glob the
     * way they do ({@code /proc/thread-self} is any thread of this process, {@code /proc/<pid>/task/*}).
     */
    static String canonicalSpelling(String glob) {
        String pid = "/proc/" + ProcessHandle.current().pid();
        if (glob.equals("/proc/self") || glob.startsWith("/proc/self/")) {
            glob = pid + glob.substring("/proc/self".length());
        } else if (glob.equals("/proc/thread-self") || glob.startsWith("/proc/thread-self/")) {
            glob = pid + "/task/*" + glob.substring("/proc/thread-self".length());
        }
        if (glob.equals("/var/run") || glob.startsWith("/var/run/")) {
            glob = glob.substring("/var".length());
        }
        return glob;
    }

    private EventSettings events(Node node) {
        Map<String, Node> map = mapping(node, "events", EVENTS);
        if (map == null) {
            return EventSettings.DEFAULTS;
        }
        String sink = map.containsKey("sink") ? string(map.get("sink"), "events.sink") : null;
        if (sink != null && sink.isBlank()) {
            problem(map.get("sink"), "an empty sink; expected stdout, stderr or a file path");
        }
        int perSecond = EventSettings.DEFAULT_PER_SECOND;
        if (map.containsKey("rate-limit")) {
            String rate = string(map.get("rate-limit"), "events.rate-limit");
            var m = rate == null ? null : RATE.matcher(rate.trim());
            if (m != null && m.matches() && Integer.parseInt(m.group(1)) > 0) {
                perSecond = Integer.parseInt(m.group(1));
            } else if (rate != null) {
                problem(map.get("rate-limit"), "bad rate limit '" + rate + "'; expected events per second, e.g. 100/s");
            }
        }
        int stackDepth = EventSettings.DEFAULT_STACK_DEPTH;
        if (map.containsKey("stack-depth")) {
            Integer depth = integer(map.get("stack-depth"), "events.stack-depth");
            if (depth != null && (depth < 0 || depth > MAX_STACK_DEPTH)) {
                problem(map.get("stack-depth"), "stack depth " + depth + " out of range; expected 0 to "
                        + MAX_STACK_DEPTH);
            } else if (depth != null) {
                stackDepth = depth;
            }
        }
        return new EventSettings(sink, perSecond, stackDepth);
    }

    private ResponseTemplate response(Node node) {
        Map<String, Node> map = mapping(node, "response", RESPONSE);
        ResponseTemplate d = ResponseTemplate.DEFAULT;
        if (map == null) {
            return d;
        }
        int status = d.status();
        if (map.containsKey("status")) {
            Integer given = integer(map.get("status"), "response.status");
            if (given != null && (given < 400 || given > 599)) {
                problem(map.get("status"), "status " + given + " out of range; expected an HTTP error status"
                        + " (400 to 599)");
            } else if (given != null) {
                status = given;
            }
        }
        String contentType = map.containsKey("content-type")
                ? string(map.get("content-type"), "response.content-type") : d.contentType();
        if (contentType != null && (contentType.isBlank() || contentType.indexOf('\n') >= 0
                || contentType.indexOf('\r') >= 0)) {
            problem(map.get("content-type"), "bad content type; expected one line such as application/json");
        }
        String body = map.containsKey("body") ? string(map.get("body"), "response.body") : d.body();
        return new ResponseTemplate(status, contentType == null ? d.contentType() : contentType,
                body == null ? d.body() : body);
    }

    // ---- node helpers: each reports what it expected, where ----

    /** The keys of a mapping, in order; unknown and repeated keys are problems. {@code null}: not a mapping. */
    private Map<String, Node> mapping(Node node, String what, List<String> keys) {
        if (!(node instanceof MappingNode mapping)) {
            problem(node, what + " must be a mapping of " + String.join(", ", keys) + "; found " + kind(node));
            return null;
        }
        Map<String, Node> found = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalar)) {
                problem(keyNode, "a key must be a plain word; found " + kind(keyNode));
                continue;
            }
            String key = scalar.getValue();
            if (!keys.contains(key)) {
                problem(keyNode, "unknown key '" + key + "' in " + what + Suggestions.didYouMean(key, keys)
                        + " (expected one of: " + String.join(", ", keys) + ")");
            } else if (found.containsKey(key)) {
                problem(keyNode, "'" + key + "' given twice in " + what + " (first at line "
                        + line(found.get(key)) + ")");
            } else {
                found.put(key, tuple.getValueNode());
            }
        }
        return found;
    }

    /**
     * A mapping whose keys are the file's own words (key names), each a plain scalar; {@code null} and repeated keys
     * are left to the caller. Empty when it is not a mapping (a problem then).
     */
    private List<NodeTuple> freeMapping(Node node, String what, String expected) {
        List<NodeTuple> found = new ArrayList<>();
        if (!(node instanceof MappingNode mapping)) {
            problem(node, what + " must be a mapping of " + expected + "; found " + kind(node));
            return found;
        }
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode && !isNull(tuple.getKeyNode())) {
                found.add(tuple);
            } else {
                problem(tuple.getKeyNode(), "a key must be a plain word; found " + kind(tuple.getKeyNode()));
            }
        }
        return found;
    }

    private List<Node> sequence(Node node, String what) {
        if (node == null || isNull(node)) {
            return List.of();
        }
        if (!(node instanceof SequenceNode sequence)) {
            problem(node, what + " must be a list; found " + kind(node));
            return List.of();
        }
        return sequence.getValue();
    }

    /** A list of strings ({@code [a, b]} or one item per line); absent or null: empty. */
    private List<String> strings(Node node, String what) {
        List<String> values = new ArrayList<>();
        for (Node item : sequence(node, what)) {
            String value = string(item, "an item of " + what);
            values.add(value == null ? "" : value);
        }
        return values;
    }

    private String string(Node node, String what) {
        if (!(node instanceof ScalarNode scalar) || isNull(node)) {
            problem(node, what + " must be a text value; found " + kind(node));
            return null;
        }
        return scalar.getValue();
    }

    private Boolean bool(Node node, String what) {
        if (!(node instanceof ScalarNode scalar) || !scalar.getTag().equals(Tag.BOOL)) {
            problem(node, what + " must be true or false; found " + kind(node));
            return null;
        }
        return Boolean.valueOf(scalar.getValue());
    }

    private Integer integer(Node node, String what) {
        if (!(node instanceof ScalarNode scalar) || !scalar.getTag().equals(Tag.INT)) {
            problem(node, what + " must be a whole number; found " + kind(node));
            return null;
        }
        try {
            return Integer.decode(scalar.getValue().replace("_", ""));
        } catch (NumberFormatException e) {
            problem(node, what + " is out of range: " + scalar.getValue());
            return null;
        }
    }

    private <E extends Enum<E>> E oneOf(Node node, String what, Class<E> type, List<String> allowed) {
        String value = string(node, what);
        if (value == null) {
            return null;
        }
        if (!allowed.contains(value)) {
            problem(node, "bad value '" + value + "' for " + what + "; expected " + String.join(", ", allowed)
                    + Suggestions.didYouMean(value, allowed));
            return null;
        }
        return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    }

    private Set<FileAccess> accesses(Node node, List<String> allowed) {
        List<String> given = strings(node, "access");
        Set<FileAccess> accesses = EnumSet.noneOf(FileAccess.class);
        for (int i = 0; i < given.size(); i++) {
            if (allowed.contains(given.get(i))) {
                accesses.add(FileAccess.valueOf(given.get(i).toUpperCase(Locale.ROOT)));
            } else {
                problem(element(node, i), "unknown access '" + given.get(i) + "'; expected "
                        + String.join(", ", allowed) + Suggestions.didYouMean(given.get(i), allowed));
            }
        }
        if (accesses.isEmpty()) {
            if (given.isEmpty() && node instanceof SequenceNode) {
                problem(node, "an empty access list; expected some of " + String.join(", ", allowed));
            }
            return null;
        }
        return accesses;
    }

    private static Node element(Node sequence, int i) {
        return sequence instanceof SequenceNode s && i < s.getValue().size() ? s.getValue().get(i) : sequence;
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
    }

    private static String kind(Node node) {
        if (node == null) {
            return "nothing";
        }
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (isNull(node)) {
            return "an empty value";
        }
        Tag tag = node.getTag();
        String value = ((ScalarNode) node).getValue();
        if (tag.equals(Tag.INT) || tag.equals(Tag.FLOAT)) {
            return "the number " + value;
        }
        if (tag.equals(Tag.BOOL)) {
            return "the boolean " + value;
        }
        return "the text '" + value + "'";
    }

    private static int line(Node node) {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    private void problem(Node node, String message) {
        Optional<Mark> mark = node == null ? Optional.empty() : node.getStartMark();
        problems.add(new PolicyProblem(source, mark.map(m -> m.getLine() + 1).orElse(0),
                mark.map(m -> m.getColumn() + 1).orElse(0), message));
    }
}

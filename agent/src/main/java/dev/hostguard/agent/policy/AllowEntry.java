package dev.hostguard.agent.policy;

import java.util.List;
import java.util.Set;

/**
 * One entry of a policy's {@code allow} list: an operation a route legitimately performs. Matched only after an
 * operation matched a rule and its request's action would log or block it; the caller (a stack walk) last.
 *
 * @param index its position in the policy, from 1 (events name it)
 * @param operation the kind of operation
 * @param executable process starts: a glob on the executable; a bare name matches it in any directory
 * @param args process starts: one glob per argument after the executable, the last may be {@code **}
 *     (any remaining arguments); {@code null}: any arguments. JVM diagnostics: the kind allowed
 *     ({@code heap-dump}, ...); process signals: the signals allowed ({@code SIGTERM}, {@code SIGKILL}); {@code null}:
 *     any
 * @param path files, listings, sockets: a glob on the canonical path; JVM diagnostics: a glob on the command line
 * @param accesses file opens: the accesses allowed (read, write); file changes (rename, link, ...): read, write,
 *     change
 * @param routeMethod the HTTP method, upper case; {@code null}: any
 * @param routePath a glob on the request path; {@code null}: any route (also outside requests)
 * @param auth the authentication classes ({@code api-key}, ..., {@code outside-request}); empty: any
 * @param caller a class name, or a package prefix ending in '.', that must be on the stack; {@code null}: any
 * @param reason why it is allowed, written into each event
 * @param endpoint network connects: the endpoint allowed (a host, network or name, and a port); else {@code null}
 * @param keys the fingerprints of the API keys whose requests it allows ({@code key}); empty: any request. An
 *     entry with keys allows only {@code api-key} requests that present one of them
 */
public record AllowEntry(int index, Action operation, Glob executable, List<Glob> args, Glob path,
                         Set<FileAccess> accesses, String routeMethod, Glob routePath, Set<String> auth,
                         String caller, String reason, Endpoint endpoint, Set<String> keys) {

    public AllowEntry {
        args = args == null ? null : List.copyOf(args);
        accesses = Set.copyOf(accesses);
        auth = Set.copyOf(auth);
        keys = Set.copyOf(keys);
    }

    /**
     * Everything but the caller.
     *
     * @param authLabel the request's authentication class label, or {@code outside-request}
     * @param keyFingerprint the fingerprint of the request's API key; {@code null} when it presents none
     * @param method the request's method; {@code null} outside a request
     * @param requestPath the request's path; {@code null} outside a request
     */
    boolean matchesOperation(Operation op, String authLabel, String keyFingerprint, String method,
                             String requestPath) {
        if (op.action() != operation || !auth.isEmpty() && !auth.contains(authLabel)) {
            return false;
        }
        if (!keys.isEmpty() && (keyFingerprint == null || !AuthClass.API_KEY.label().equals(authLabel)
                || !keys.contains(keyFingerprint))) {
            return false; // a key's entry: only that key's own requests, never a user's that carries it too
        }
        if (routePath != null && (requestPath == null || !routePath.matches(requestPath))) {
            return false;
        }
        if (routeMethod != null && (method == null || !routeMethod.equalsIgnoreCase(method))) {
            return false;
        }
        return switch (operation) {
            case PROCESS_START -> executableMatches(op) && argsMatch(op.arguments());
            case FILE_OPEN -> accesses.contains(op.access()) && path.matches(op.target());
            case DIRECTORY_LIST, UNIX_CONNECT, NATIVE_LOAD, NATIVE_DOWNCALL -> path.matches(op.target());
            case PROCESS_SIGNAL -> args == null || anyMatches(args, op.arguments().get(1));
            case JVM_DIAGNOSTIC -> path.matches(op.target()) && (args == null || anyMatches(args, op.arguments().get(0)));
            case FILE_RENAME, FILE_LINK, FILE_SYMLINK, FILE_DELETE, FILE_CREATE, FILE_ATTRIBUTES ->
                    accesses.contains(op.access()) && path.matches(op.target());
            case NETWORK_CONNECT -> endpoint != null
                    && endpoint.matches(Endpoint.literal(op.destinationAddress()), op.destinationDomain(),
                            op.destinationPort());
        };
    }

    /** Walks the stack: only once everything else matched. */
    boolean callerOnStack() {
        if (caller == null) {
            return true;
        }
        boolean prefix = caller.endsWith(".");
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(f -> prefix
                ? f.getClassName().startsWith(caller)
                : f.getClassName().equals(caller) || f.getClassName().startsWith(caller + "$")));
    }

    private static boolean anyMatches(List<Glob> globs, String value) {
        for (Glob glob : globs) {
            if (glob.matches(value)) {
                return true;
            }
        }
        return false;
    }

    private boolean executableMatches(Operation op) {
        String given = op.target();
        if (executable.pattern().indexOf('/') < 0) {
            return executable.matches(given.substring(given.lastIndexOf('/') + 1));
        }
        return executable.matches(Executables.resolve(given, op.workingDirectory()));
    }

    private boolean argsMatch(List<String> command) {
        if (args == null) {
            return true;
        }
        int n = command.size() - 1; // arguments after the executable
        boolean openEnded = !args.isEmpty() && args.get(args.size() - 1).pattern().equals("**");
        int fixed = openEnded ? args.size() - 1 : args.size();
        if (openEnded ? n < fixed : n != fixed) {
            return false;
        }
        for (int i = 0; i < fixed; i++) {
            if (!args.get(i).matches(command.get(i + 1))) {
                return false;
            }
        }
        return true;
    }
}

package dev.hostguard.agent.policy;

import dev.hostguard.agent.path.ResolvedPath;
import java.util.List;
import java.util.Set;

/**
 * One host operation, as the policy sees it, with the rule it matched.
 *
 * @param action what is done
 * @param target the executable of a process start; the canonical path of a file, directory or socket
 * @param originalTarget the path as the caller gave it, when it differs from {@code target}; else {@code null}
 * @param access how a file is accessed; {@code null} for a process start
 * @param arguments the full command line of a process start, executable first; empty otherwise
 * @param workingDirectory where a process starts; {@code null} otherwise
 * @param rule the rule the operation matched; {@code null} when it matched none
 */
public record Operation(Action action, String target, String originalTarget, FileAccess access,
                        List<String> arguments, String workingDirectory, Rule rule) {

    /** Every process start inside a guarded request is a finding: such handlers should run no host commands. */
    public static final Rule PROCESS_START_RULE = new Rule("process-start", "process", Set.of(FileAccess.EXECUTE),
            "a process started by a request that carries only an API key, or nothing",
            "the seed scenario: docker ps from an API-key-protected admin route");

    public static Operation processStart(String[] command, String workingDirectory) {
        return processStart(List.of(command), workingDirectory, PROCESS_START_RULE);
    }

    /** A process start that matched {@code rule} (a policy's command rule, or none when process-start is off). */
    public static Operation processStart(List<String> command, String workingDirectory, Rule rule) {
        return new Operation(Action.PROCESS_START, command.isEmpty() ? "" : command.get(0), null, null,
                List.copyOf(command), workingDirectory, rule);
    }

    /**
     * A read or write on a connection to a socket that was connected before (possibly outside any request, or by
     * another request: a pooled connection). Its action is the connect's, so an allow entry for
     * {@code unix-connect} of that socket on a route allows its use there too; its access says which use.
     */
    public static Operation connectionUse(FileAccess access, ResolvedPath socket, Rule rule) {
        return new Operation(Action.UNIX_CONNECT, socket.canonical(),
                socket.given().equals(socket.canonical()) ? null : socket.given(), access, List.of(), null, rule);
    }

    /** Whether this is the use of a connection made before ({@link #connectionUse}), not a connect. */
    public boolean connectionUse() {
        return action == Action.UNIX_CONNECT && access != FileAccess.CONNECT;
    }

    public static Operation file(FileAccess access, ResolvedPath path, Rule rule) {
        return new Operation(Action.of(access), path.canonical(),
                path.given().equals(path.canonical()) ? null : path.given(), access, List.of(), null, rule);
    }
}

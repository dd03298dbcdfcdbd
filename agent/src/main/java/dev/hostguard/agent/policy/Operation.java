package dev.hostguard.agent.policy;

import dev.hostguard.agent.path.ResolvedPath;
import java.util.List;
import java.util.Set;

/**
 * One host operation, as the policy sees it, with the rule it matched.
 *
 * @param action what is done
 * @param target the executable of a process start; the canonical path of a file, directory or socket; the
 *     {@code address:port} of a network connect ({@code [v6]:port})
 * @param originalTarget the path as the caller gave it, when it differs from {@code target}; the {@code name:port}
 *     of a network connect to a name; else {@code null}
 * @param access how a file is accessed; {@code null} for a process start
 * @param arguments the full command line of a process start, executable first; for native code the API it came
 *     through, alone ({@link NativeCode}); for a network connect its destination address, port and name ({@code ""}
 *     when the caller gave an address); for a file change ({@link Action#changesFiles}) the other path of a rename
 *     or link (a symbolic link's target as given) and what changed ({@code mode 4755}, {@code owner}, {@code times},
 *     {@code xattr}), each {@code ""} when none; empty otherwise
 * @param workingDirectory where a process starts; {@code null} otherwise
 * @param rule the rule the operation matched; {@code null} when it matched none
 */
public record Operation(Action action, String target, String originalTarget, FileAccess access,
                        List<String> arguments, String workingDirectory, Rule rule) {

    /** Every process start inside a guarded request is a finding: such handlers should run no host commands. */
    public static final Rule PROCESS_START_RULE = new Rule("process-start", "process", Set.of(FileAccess.EXECUTE),
            "a process started by a request that carries only an API key, or nothing",
            "the seed scenario: docker ps from an API-key-protected admin route");

    /**
     * Every signal a guarded request sends another process through the process API is a finding: such handlers
     * should stop no processes (the ones they may not start either). Its access is a process start's.
     */
    public static final Rule PROCESS_SIGNAL_RULE = new Rule("process-signal", "process", Set.of(FileAccess.EXECUTE),
            "a signal (ProcessHandle.destroy, destroyForcibly) sent to another process by a request that carries only"
                    + " an API key, or nothing",
            "HostGuard issue 18 (signalling other processes); Falco stable (kill of a process by an untrusted one)");

    /** A signal to process {@code pid}: {@code SIGKILL} when {@code forcibly}, else {@code SIGTERM}. */
    public static Operation processSignal(long pid, boolean forcibly, Rule rule) {
        return new Operation(Action.PROCESS_SIGNAL, Long.toString(pid), null, null,
                List.of(Long.toString(pid), forcibly ? "SIGKILL" : "SIGTERM"), null, rule);
    }

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

    /** Whether this is the use of a connection made before (a socket's or a network endpoint's), not a connect. */
    public boolean connectionUse() {
        return (action == Action.UNIX_CONNECT || action == Action.NETWORK_CONNECT) && access != FileAccess.CONNECT;
    }

    public static Operation file(FileAccess access, ResolvedPath path, Rule rule) {
        return new Operation(Action.of(access), path.canonical(),
                path.given().equals(path.canonical()) ? null : path.given(), access, List.of(), null, rule);
    }

    /**
     * A change of the file system other than an open: one judged path ({@code path}) of a rename, link, symbolic
     * link, delete, create or attribute change.
     *
     * @param otherPath the other path of a rename or link (a rename's target when {@code path} is its source, and the
     *     reverse), a symbolic link's target as given; {@code null} when none
     * @param change what an attribute change changes ({@code mode 4755}, {@code owner}, {@code times}, {@code xattr});
     *     {@code null} for the others
     */
    public static Operation fileChange(Action action, FileAccess access, ResolvedPath path, String otherPath,
                                       String change, Rule rule) {
        return new Operation(action, path.canonical(),
                path.given().equals(path.canonical()) ? null : path.given(), access,
                List.of(otherPath == null ? "" : otherPath, change == null ? "" : change), null, rule);
    }

    /** The other path of a rename or link, a symbolic link's target; {@code null} when none, or not a file change. */
    public String targetPath() {
        return action.changesFiles() && !arguments.get(0).isEmpty() ? arguments.get(0) : null;
    }

    /** What a file-attributes change changes ({@code mode 4755}, {@code owner}, ...); {@code null} otherwise. */
    public String change() {
        return action.changesFiles() && !arguments.get(1).isEmpty() ? arguments.get(1) : null;
    }

    /**
     * A network connect that matched {@code rule} ({@code access} CONNECT), or a later read or write of the
     * connection it made: the action is the connect's, so an allow entry for the connect on a route allows the use.
     *
     * @param address the address connected to, as text ({@code 169.254.169.254}, {@code fd00:ec2::254})
     * @param name the name the caller connected to; {@code null} when it gave an address
     */
    public static Operation networkConnect(FileAccess access, String address, int port, String name, Rule rule) {
        return new Operation(Action.NETWORK_CONNECT, Endpoint.hostPort(address, port),
                name == null ? null : Endpoint.hostPort(name, port), access,
                List.of(address, Integer.toString(port), name == null ? "" : name), null, rule);
    }

    /** A network connect's destination address; {@code null} for other operations. */
    public String destinationAddress() {
        return action == Action.NETWORK_CONNECT ? arguments.get(0) : null;
    }

    /** A network connect's destination port; {@code -1} for other operations. */
    public int destinationPort() {
        return action == Action.NETWORK_CONNECT ? Integer.parseInt(arguments.get(1)) : -1;
    }

    /** The name a network connect's caller connected to; {@code null} when it gave an address, or not a connect. */
    public String destinationDomain() {
        return action == Action.NETWORK_CONNECT && !arguments.get(2).isEmpty() ? arguments.get(2) : null;
    }
}

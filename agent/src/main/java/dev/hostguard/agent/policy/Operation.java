package dev.hostguard.agent.policy;

import java.util.List;

/**
 * One host operation, as the policy sees it.
 *
 * @param action what is done
 * @param target the executable (for a process start)
 * @param arguments the full command line, executable first
 * @param workingDirectory where a process starts; {@code null} where it does not apply
 */
public record Operation(Action action, String target, List<String> arguments, String workingDirectory) {

    public static Operation processStart(String[] command, String workingDirectory) {
        List<String> args = List.of(command);
        return new Operation(Action.PROCESS_START, args.isEmpty() ? "" : args.get(0), args, workingDirectory);
    }
}

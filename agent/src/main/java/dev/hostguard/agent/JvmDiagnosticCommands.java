package dev.hostguard.agent;

import dev.hostguard.agent.policy.JvmDiagnostics;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a JVM diagnostic does, read from what its hook passes: the command line of its event and the files it writes
 * at paths the caller names (judged as writes of those paths by the path rules).
 * <ul>
 *   <li>{@code heap-dump}: {@code dumpHeap}, its output file.</li>
 *   <li>{@code vm-option}: the option and its value; {@code HeapDumpPath}'s value is where the next heap dump goes.</li>
 *   <li>{@code diagnostic-command}: the {@code DiagnosticCommand} MBean's operation ({@code gcHeapDump},
 *       {@code jfrStart}, ...: jcmd's commands, camel-cased) and its arguments (jcmd's, one {@code String[]}): a
 *       {@code filename=}, {@code repositorypath=} or {@code dumppath=} value, and the positional path of
 *       {@code GC.heap_dump}, {@code Thread.dump_to_file} and {@code VM.cds} (after its subcommand).</li>
 *   <li>{@code attach}: the target JVM's id ({@code VirtualMachine.attach}), or a command sent to an attached JVM
 *       ({@code load}, {@code properties}, {@code threaddump}, {@code jcmd}, ...) with its arguments.</li>
 * </ul>
 */
final class JvmDiagnosticCommands {
    private static final Set<String> PATH_OPTIONS = Set.of("filename", "repositorypath", "dumppath");
    private static final Set<String> POSITIONAL_PATH = Set.of("gcHeapDump", "threadDumpToFile");

    private JvmDiagnosticCommands() {
    }

    /** The command line of the event: the name, then each argument ({@code String[]}s flattened). */
    static String commandLine(String name, Object arguments) {
        StringBuilder line = new StringBuilder(String.valueOf(name));
        for (String argument : flatten(arguments)) {
            line.append(' ').append(argument);
        }
        return line.toString();
    }

    /** The files the diagnostic writes at paths its caller named; empty when none. */
    static List<String> filesWritten(String kind, String name, Object arguments) {
        List<String> files = new ArrayList<>();
        List<String> args = flatten(arguments);
        switch (kind) {
            case JvmDiagnostics.HEAP_DUMP -> files.addAll(args);
            case JvmDiagnostics.VM_OPTION -> {
                if ("HeapDumpPath".equals(name) && !args.isEmpty() && !args.get(0).isEmpty()) {
                    files.add(args.get(0));
                }
            }
            case JvmDiagnostics.DIAGNOSTIC_COMMAND -> {
                boolean positional = POSITIONAL_PATH.contains(name);
                boolean cds = "vmCds".equals(name);
                boolean subcommandSeen = false;
                for (String arg : args) {
                    for (String word : arg.trim().split("\\s+")) { // jcmd's arguments may come as one string
                        int equals = word.indexOf('=');
                        if (equals > 0) {
                            if (PATH_OPTIONS.contains(word.substring(0, equals)) && equals < word.length() - 1) {
                                files.add(word.substring(equals + 1));
                            }
                        } else if (!word.isEmpty() && !word.startsWith("-")) {
                            if (positional) {
                                files.add(word);
                            } else if (cds) {
                                if (subcommandSeen) {
                                    files.add(word);
                                }
                                subcommandSeen = true;
                            }
                        }
                    }
                }
            }
            default -> { }
        }
        return files;
    }

    private static List<String> flatten(Object arguments) {
        List<String> flat = new ArrayList<>();
        if (arguments instanceof Object[] array) {
            for (Object a : array) {
                flat.addAll(flatten(a));
            }
        } else if (arguments != null) {
            flat.add(String.valueOf(arguments));
        }
        return flat;
    }
}

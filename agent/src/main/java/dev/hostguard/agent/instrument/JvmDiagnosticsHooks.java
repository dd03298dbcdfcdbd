package dev.hostguard.agent.instrument;

import static dev.hostguard.agent.instrument.HookFamily.takes;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.hostguard.agent.bootstrap.HostGuardBlockedException;
import dev.hostguard.agent.bootstrap.Hooks;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * The JVM's own diagnostics, the Java methods just above natives that write files at a caller's path, load code into
 * a JVM or read another JVM's command line (the rule {@code jvm-diagnostics}; see {@code JvmDiagnostics}). None of
 * these classes is loaded at start-up unless the service uses them. The same shapes on JDK 17 and 25 except
 * {@code Perf}'s.
 * <ul>
 *   <li>{@code com.sun.management.internal.HotSpotDiagnostic.dumpHeap(String, boolean)} (the native
 *       {@code dumpHeap0}'s one caller: {@code HotSpotDiagnosticMXBean.dumpHeap}) and {@code setVMOption(String,
 *       String)} (the {@code Flag.set*Value} natives' one caller).</li>
 *   <li>{@code com.sun.management.internal.DiagnosticCommandImpl.invoke(String, Object[], String[])}: the
 *       {@code DiagnosticCommand} MBean's operations, the native {@code executeDiagnosticCommand}'s one caller.</li>
 *   <li>jdk.attach's {@code sun.tools.attach.VirtualMachineImpl}: its constructor ({@code VirtualMachine.attach}:
 *       the {@code SIGQUIT} that starts the target's attach listener, the connect to its socket) and
 *       {@code execute(String, Object...)} (every command sent to an attached JVM: {@code loadAgent},
 *       {@code loadAgentLibrary}, {@code getSystemProperties}, thread dumps, jcmd), the natives' callers.</li>
 *   <li>{@code jdk.internal.perf.Perf}'s attach to another JVM's counters (its command line), judged as the
 *       {@code proc-cmdline} read of that process: {@code attachImpl(String, int, int)} on JDK 17 to 24,
 *       {@code attach(int)} on JDK 25 (a pair of optional sites).</li>
 * </ul>
 * Each refusal is what the API declares: an {@code IOException} (the {@code HostGuardBlockedException} itself) from
 * {@code dumpHeap}, the attach and {@code Perf}; an {@code MBeanException} wrapping it from the MBean's
 * {@code invoke}; a {@code SecurityException} (the permission failure {@code setVMOption} declares) with it as cause.
 */
final class JvmDiagnosticsHooks implements HookFamily {
    static final String HOTSPOT_DIAGNOSTIC = "com.sun.management.internal.HotSpotDiagnostic";
    static final String DIAGNOSTIC_COMMAND = "com.sun.management.internal.DiagnosticCommandImpl";
    static final String ATTACH_VM = "sun.tools.attach.VirtualMachineImpl";
    static final String PERF = "jdk.internal.perf.Perf";

    @Override
    public String name() {
        return "jvm-diagnostics";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(
                HookTarget.jdk(HOTSPOT_DIAGNOSTIC,
                        new HookSite("HotSpotDiagnostic.dumpHeap", "dumpHeap", not(isStatic())
                                .and(takes(String.class, boolean.class)), advice("DumpHeapAdvice"), true),
                        new HookSite("HotSpotDiagnostic.setVMOption", "setVMOption", not(isStatic())
                                .and(takes(String.class, String.class)), advice("SetVmOptionAdvice"), true)),
                HookTarget.jdk(DIAGNOSTIC_COMMAND, new HookSite("DiagnosticCommandImpl.invoke", "invoke",
                        not(isStatic()).and(takes(String.class, Object[].class, String[].class)),
                        advice("DiagnosticCommandAdvice"), true)),
                HookTarget.jdk(ATTACH_VM,
                        new HookSite("VirtualMachineImpl.<init>", HookSite.CONSTRUCTOR, takesArguments(2)
                                .and(takesArgument(0, named("com.sun.tools.attach.spi.AttachProvider")))
                                .and(takesArgument(1, named(String.class.getName()))), advice("AttachAdvice"),
                                true),
                        new HookSite("VirtualMachineImpl.execute", "execute", not(isStatic())
                                .and(takes(String.class, Object[].class)), advice("AttachCommandAdvice"), true)),
                HookTarget.jdk(PERF,
                        new HookSite("Perf.attachImpl", "attachImpl", not(isStatic())
                                .and(takes(String.class, int.class, int.class)), advice("PerfAttach17Advice"),
                                false),
                        new HookSite("Perf.attach(int)", "attach", not(isStatic()).and(takes(int.class)),
                                advice("PerfAttach25Advice"), false)));
    }

    static final class DumpHeapAdvice {
        private DumpHeapAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) String file) throws java.io.IOException {
            HostGuardBlockedException refused = Hooks.jvmDiagnosticRefusal("heap-dump", "dumpHeap", file);
            if (refused != null) {
                throw refused;
            }
        }
    }

    static final class SetVmOptionAdvice {
        private SetVmOptionAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) String name, @Advice.Argument(1) String value) {
            HostGuardBlockedException refused = Hooks.jvmDiagnosticRefusal("vm-option", name, value);
            if (refused != null) {
                throw new SecurityException(refused.getMessage(), refused);
            }
        }
    }

    static final class DiagnosticCommandAdvice {
        private DiagnosticCommandAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) String operation, @Advice.Argument(1) Object[] params)
                throws javax.management.MBeanException {
            HostGuardBlockedException refused = Hooks.jvmDiagnosticRefusal("diagnostic-command", operation, params);
            if (refused != null) {
                throw new javax.management.MBeanException(refused, refused.getMessage());
            }
        }
    }

    static final class AttachAdvice {
        private AttachAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(1) String vmid) throws java.io.IOException {
            HostGuardBlockedException refused = Hooks.jvmDiagnosticRefusal("attach", "attach", vmid);
            if (refused != null) {
                throw refused;
            }
        }
    }

    static final class AttachCommandAdvice {
        private AttachCommandAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) String command, @Advice.Argument(1) Object[] args)
                throws java.io.IOException {
            HostGuardBlockedException refused = Hooks.jvmDiagnosticRefusal("attach", command, args);
            if (refused != null) {
                throw refused;
            }
        }
    }

    static final class PerfAttach17Advice {
        private PerfAttach17Advice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(1) int pid) throws java.io.IOException {
            Hooks.processCounters(pid);
        }
    }

    static final class PerfAttach25Advice {
        private PerfAttach25Advice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) int pid) throws java.io.IOException {
            Hooks.processCounters(pid);
        }
    }
}

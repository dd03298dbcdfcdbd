package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;

import dev.hostguard.agent.bootstrap.Hooks;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * Reads of other processes through the JDK's process API: {@code java.lang.ProcessHandleImpl$Info.info(long pid,
 * long startTime)}, the one caller of the native {@code info0(long pid)} that reads {@code /proc/<pid>/cmdline},
 * {@code /proc/<pid>/stat}, {@code status} and the {@code exe} link natively (so no file open is judged). Every way
 * in meets there: {@code ProcessHandle.of(pid)}, {@code allProcesses()}, {@code children()}, {@code parent()},
 * {@code current()} then {@code info()}, and {@code Process.info()}. The shape is the same on JDK 17 and 25.
 */
final class ProcessInfoHooks implements HookFamily {
    static final String TYPE = "java.lang.ProcessHandleImpl$Info";

    @Override
    public String name() {
        return "process-info";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(HookTarget.jdk(TYPE, new HookSite("ProcessHandleImpl.Info.info", "info",
                isStatic().and(HookFamily.takes(long.class, long.class)), advice("InfoAdvice"), true)));
    }

    static final class InfoAdvice {
        private InfoAdvice() {
        }

        /** A refused read reads a pid no process has: the caller gets an empty {@code Info}. */
        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(value = 0, readOnly = false) long pid) {
            pid = Hooks.processInfo(pid);
        }
    }
}

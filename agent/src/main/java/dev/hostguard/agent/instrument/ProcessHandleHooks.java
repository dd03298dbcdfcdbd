package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.hostguard.agent.bootstrap.Hooks;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * Other processes through the JDK's process API ({@code ProcessHandle}). Their command lines: {@code java.lang.ProcessHandleImpl$Info.info(long pid,
 * long startTime)}, the one caller of the native {@code info0(long pid)} that reads {@code /proc/<pid>/cmdline},
 * {@code /proc/<pid>/stat}, {@code status} and the {@code exe} link natively (so no file open is judged). Every way
 * in meets there: {@code ProcessHandle.of(pid)}, {@code allProcesses()}, {@code children()}, {@code parent()},
 * {@code current()} then {@code info()}, and {@code Process.info()}. Their signals: {@code ProcessHandleImpl.destroy()}
 * and {@code destroyForcibly()}, the handle API's only ways to {@code kill} (a {@code Process}'s own
 * {@code destroy} of the child it started goes to {@code destroyProcess} directly and is not judged). The shapes are
 * the same on JDK 17 and 25.
 */
final class ProcessHandleHooks implements HookFamily {
    static final String TYPE = "java.lang.ProcessHandleImpl$Info";
    static final String HANDLE = "java.lang.ProcessHandleImpl";

    @Override
    public String name() {
        return "process-handle";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(HookTarget.jdk(TYPE, new HookSite("ProcessHandleImpl.Info.info", "info",
                isStatic().and(HookFamily.takes(long.class, long.class)), advice("InfoAdvice"), true)),
                HookTarget.jdk(HANDLE,
                        new HookSite("ProcessHandleImpl.destroy", "destroy", takesArguments(0),
                                advice("DestroyAdvice"), true),
                        new HookSite("ProcessHandleImpl.destroyForcibly", "destroyForcibly", takesArguments(0),
                                advice("DestroyForciblyAdvice"), true)));
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

    static final class DestroyAdvice {
        private DestroyAdvice() {
        }

        /** A refused signal skips the method, which then returns false, as when the process could not be signalled. */
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This Object handle) {
            return Hooks.processSignalRefused(handle, false);
        }
    }

    static final class DestroyForciblyAdvice {
        private DestroyForciblyAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This Object handle) {
            return Hooks.processSignalRefused(handle, true);
        }
    }
}

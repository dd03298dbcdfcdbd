package dev.hostguard.agent.instrument;

import static dev.hostguard.agent.instrument.HookFamily.takes;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.hostguard.agent.bootstrap.Hooks;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * Process starts, at {@code java.lang.ProcessImpl}: every {@code Runtime.exec} overload,
 * {@code ProcessBuilder.start} and {@code startPipeline}, and calls through reflection, method handles or proxies
 * end in its static {@code start}; its private constructor is the second line, for code that reflects into
 * {@code java.lang} past {@code start}. The shapes are the same on JDK 17, 21 and 25. Also other processes'
 * command lines and signals through {@code ProcessHandle} ({@link #processHandles}).
 */
final class ProcessStartHooks implements HookFamily {
    static final String TYPE = "java.lang.ProcessImpl";

    @Override
    public String name() {
        return "process-start";
    }

    /** The other processes' side, through the JDK's process API ({@code ProcessHandle}): see {@link #processHandles}. */
    static final String INFO_TYPE = "java.lang.ProcessHandleImpl$Info";
    static final String HANDLE_TYPE = "java.lang.ProcessHandleImpl";

    @Override
    public List<HookTarget> targets() {
        List<HookTarget> handles = processHandles();
        return List.of(processStarts(), handles.get(0), handles.get(1));
    }

    private HookTarget processStarts() {
        return HookTarget.jdk(TYPE,
                new HookSite("ProcessImpl.start", "start", isStatic().and(takes("java.lang.String[]", "java.util.Map",
                        "java.lang.String", "java.lang.ProcessBuilder$Redirect[]", "boolean")), advice("StartAdvice"),
                        true),
                new HookSite("ProcessImpl.<init>", HookSite.CONSTRUCTOR, takes(byte[].class, byte[].class,
                        int.class, byte[].class, int.class, byte[].class, int[].class, boolean.class, boolean.class),
                        advice("ConstructAdvice"), true));
    }

    /**
     * Other processes through the JDK's process API ({@code ProcessHandle}), here rather than in a family of their own
     * (one class less at start-up; neither class is loaded before a service uses the API). Their command lines:
     * {@code java.lang.ProcessHandleImpl$Info.info(long pid, long startTime)}, the one caller of the native
     * {@code info0(long pid)} that reads {@code /proc/<pid>/cmdline}, {@code stat}, {@code status} and the {@code exe}
     * link natively (so no file open is judged); every way in meets there: {@code ProcessHandle.of(pid)},
     * {@code allProcesses()}, {@code children()}, {@code parent()}, {@code current()} then {@code info()}, and
     * {@code Process.info()}. Their signals: {@code ProcessHandleImpl.destroy()} and {@code destroyForcibly()}, the
     * handle API's only ways to {@code kill} (a {@code Process}'s own {@code destroy} of the child it started goes to
     * {@code destroyProcess} directly and is not judged). The shapes are the same on JDK 17 and 25.
     */
    private List<HookTarget> processHandles() {
        return List.of(HookTarget.jdk(INFO_TYPE, new HookSite("ProcessHandleImpl.Info.info", "info",
                        isStatic().and(takes(long.class, long.class)), advice("InfoAdvice"), true)),
                HookTarget.jdk(HANDLE_TYPE,
                        new HookSite("ProcessHandleImpl.destroy", "destroy", takesArguments(0),
                                advice("DestroyAdvice"), true),
                        new HookSite("ProcessHandleImpl.destroyForcibly", "destroyForcibly", takesArguments(0),
                                advice("DestroyForciblyAdvice"), true)));
    }

    static final class StartAdvice {
        private StartAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) String[] command, @Advice.Argument(2) String directory)
                throws java.io.IOException {
            Hooks.processStart(command, directory);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit() {
            Hooks.processStartDone();
        }
    }

    static final class ConstructAdvice {
        private ConstructAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) byte[] program, @Advice.Argument(1) byte[] argBlock,
                          @Advice.Argument(5) byte[] directory) throws java.io.IOException {
            Hooks.processConstruct(program, argBlock, directory);
        }
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

package dev.hostguard.agent.instrument;

import static dev.hostguard.agent.instrument.HookFamily.takes;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;

import dev.hostguard.agent.bootstrap.Hooks;
import java.util.List;
import java.util.Map;
import net.bytebuddy.asm.Advice;

/**
 * Process starts, at {@code java.lang.ProcessImpl}: every {@code Runtime.exec} overload,
 * {@code ProcessBuilder.start} and {@code startPipeline}, and calls through reflection, method handles or proxies
 * end in its static {@code start}; its private constructor is the second line, for code that reflects into
 * {@code java.lang} past {@code start}. The shapes are the same on JDK 17, 21 and 25.
 */
final class ProcessStartHooks implements HookFamily {
    static final String TYPE = "java.lang.ProcessImpl";

    @Override
    public String name() {
        return "process-start";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(HookTarget.jdk(TYPE,
                new HookSite("ProcessImpl.start", "start", isStatic().and(takes(String[].class, Map.class,
                        String.class, ProcessBuilder.Redirect[].class, boolean.class)), advice("StartAdvice"), true),
                new HookSite("ProcessImpl.<init>", HookSite.CONSTRUCTOR, takes(byte[].class, byte[].class,
                        int.class, byte[].class, int.class, byte[].class, int[].class, boolean.class, boolean.class),
                        advice("ConstructAdvice"), true)));
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
}

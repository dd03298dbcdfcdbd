package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.any;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The advice shapes the hooks use, woven by {@link HookWeaver} (Byte Buddy's {@code Advice}) into a class of our own
 * and run: the class is defined from the woven bytes in a throwaway loader, so the JVM's own verifier checks it
 * (stack map frames included), and each test proves the behaviour the hooks rely on: arguments replaced, exits on
 * every return and exception, exceptions rethrown or swallowed, return values replaced, bodies skipped, fields
 * read, only the methods a site names touched.
 */
class HookWeaverTest {
    private static final HookSite WRAP = site("handOver", HookFamily.takes(Runnable.class), WrapAdvice.class);
    private static final HookSite REQUEST = site("guarded", HookFamily.takes(String.class), RequestLikeAdvice.class);
    private static final HookSite DONE = site("fails", isStatic(), DoneAdvice.class);
    private static final HookSite REMOVE = site("remove", takesArguments(1), RemoveLikeAdvice.class);
    private static final HookSite SKIP = site("list", takesArguments(0), SkipAdvice.class);
    private static final HookSite FIELD = site("at", takesArguments(1), FieldAdvice.class);
    private static final HookSite MERGE = site("merge", any(), DoneAdvice.class);
    private static final HookSite WIDE = site("wide", any(), WideAdvice.class);
    private static final HookSite CONSTRUCT = site(HookSite.CONSTRUCTOR, HookFamily.takes(String.class),
            ConstructLikeAdvice.class);

    private Object target;
    private Class<?> woven;

    @BeforeEach
    void weave() throws Exception {
        Recorder.events.clear();
        String name = Target.class.getName();
        byte[] classFile;
        try (InputStream in = Target.class.getClassLoader().getResourceAsStream(name.replace('.', '/') + ".class")) {
            classFile = in.readAllBytes();
        }
        HookWeaver.Result result = new HookWeaver().weave(name, Target.class.getClassLoader(), classFile,
                List.of(WRAP, REQUEST, DONE, REMOVE, SKIP, FIELD, MERGE, WIDE, CONSTRUCT));
        assertEquals(9, result.hooked().size(), result.hooked().toString());
        JdkHookDriftTest.verify(result.classFile());
        woven = new ThrowawayLoader(name, result.classFile()).loadClass(name);
        target = woven.getConstructor(String.class).newInstance("made");
        assertEquals(List.of("construct made", "constructed"), Recorder.events);
        Recorder.events.clear();
    }

    @Test
    void anArgumentReplacedOnEntryIsWhatTheMethodSees() throws Exception {
        Runnable task = () -> { };
        Object handedOver = call("handOver", new Class<?>[] {Runnable.class}, task);
        assertInstanceOf(Recorder.Wrapped.class, handedOver);
        assertSame(task, ((Recorder.Wrapped) handedOver).task);
    }

    @Test
    void theExitSeesTheEnterValueAndANormalReturn() throws Exception {
        assertEquals("in!", call("guarded", new Class<?>[] {String.class}, "in"));
        assertEquals(List.of("enter in", "exit token:in null"), Recorder.events);
    }

    @Test
    void theExitSeesAnExceptionAndMayReplaceIt() throws Exception {
        InvocationTargetException thrown = assertThrows(InvocationTargetException.class,
                () -> call("guarded", new Class<?>[] {String.class}, "boom"));
        assertInstanceOf(IllegalStateException.class, thrown.getCause());
        assertEquals("replaced", thrown.getCause().getMessage());
        assertEquals(List.of("enter boom", "exit token:boom java.lang.IllegalStateException"), Recorder.events);
    }

    @Test
    void anExceptionTheExitSwallowsReturnsTheDefaultValue() throws Exception {
        assertNull(call("guarded", new Class<?>[] {String.class}, "swallow"));
        assertEquals(List.of("enter swallow", "exit token:swallow java.lang.IllegalStateException"), Recorder.events);
    }

    @Test
    void aCheckedExceptionOfAStaticMethodReachesTheExitAndGoesOn() throws Exception {
        InvocationTargetException thrown = assertThrows(InvocationTargetException.class,
                () -> call("fails", new Class<?>[] {String.class}, "io"));
        assertInstanceOf(IOException.class, thrown.getCause());
        assertEquals(List.of("done"), Recorder.events);
    }

    @Test
    void theExitMayReplaceTheReturnValue() throws Exception {
        assertEquals(false, call("remove", new Class<?>[] {Object.class}, "keep"));
        assertEquals(true, call("remove", new Class<?>[] {Object.class}, "wrapped"));
    }

    @Test
    void aNonDefaultEnterValueSkipsTheBody() throws Exception {
        assertEquals(1, ((String[]) call("list", new Class<?>[0])).length);
        Recorder.refuse = true;
        try {
            assertNull(call("list", new Class<?>[0]));
        } finally {
            Recorder.refuse = false;
        }
    }

    @Test
    void aFieldIsReadAtEntry() throws Exception {
        call("at", new Class<?>[] {Object.class}, "p");
        assertEquals(List.of("at 7 p"), Recorder.events);
    }

    @Test
    void returnsWithDifferentLocalsMeetAtTheExit() throws Exception {
        assertInstanceOf(ArrayList.class, call("merge", new Class<?>[] {boolean.class}, true));
        assertInstanceOf(LinkedList.class, call("merge", new Class<?>[] {boolean.class}, false));
        assertEquals(List.of("done", "done"), Recorder.events);
    }

    @Test
    void wideArgumentsKeepTheirSlots() throws Exception {
        assertEquals(5L, call("wide", new Class<?>[] {long.class, double.class, String.class}, 2L, 3.0, "c"));
        assertEquals(List.of("wide 2 3.0 c", "wide returned 5"), Recorder.events);
    }

    private Object call(String name, Class<?>[] types, Object... arguments) throws Exception {
        Method method = woven.getDeclaredMethod(name, types);
        method.setAccessible(true);
        return method.invoke((method.getModifiers() & java.lang.reflect.Modifier.STATIC) != 0 ? null : target,
                arguments);
    }

    private static HookSite site(String method, ElementMatcher<? super MethodDescription> shape, Class<?> advice) {
        return new HookSite(method, method, shape, advice.getName(), true);
    }

    /** Defines one class from the given bytes, the rest from its parent. */
    private static final class ThrowawayLoader extends ClassLoader {
        private final String name;
        private final byte[] classFile;

        ThrowawayLoader(String name, byte[] classFile) {
            super(HookWeaverTest.class.getClassLoader());
            this.name = name;
            this.classFile = classFile;
        }

        @Override
        protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
            if (className.equals(name)) {
                synchronized (getClassLoadingLock(className)) {
                    Class<?> known = findLoadedClass(className);
                    return known != null ? known : defineClass(className, classFile, 0, classFile.length);
                }
            }
            return super.loadClass(className, resolve);
        }
    }

    /** What the woven code calls; public, as the woven class lives in another loader's package. */
    public static final class Recorder {
        public static final List<String> events = new ArrayList<>();
        public static boolean refuse;

        public static final class Wrapped implements Runnable {
            public final Runnable task;

            Wrapped(Runnable task) {
                this.task = task;
            }

            @Override
            public void run() {
                task.run();
            }
        }

        public static Runnable wrap(Runnable task) {
            return new Wrapped(task);
        }

        public static Object enter(String in) {
            events.add("enter " + in);
            return "token:" + in;
        }

        public static Throwable exit(Object token, Throwable thrown) {
            events.add("exit " + token + " " + (thrown == null ? null : thrown.getClass().getName()));
            if (thrown != null && "token:swallow".equals(token)) {
                return null;
            }
            return thrown == null ? null : new IllegalStateException("replaced");
        }

        public static void event(String event) {
            events.add(event);
        }

        // concatenation here, never in advice: under javac's defaults it is an invokedynamic, which has no place in
        // code inlined into the JDK's own classes
        public static void at(int fd, Object path) {
            events.add("at " + fd + " " + path);
        }

        public static void wide(long a, double b, String c) {
            events.add("wide " + a + " " + b + " " + c);
        }

        public static void wideReturned(long returned) {
            events.add("wide returned " + returned);
        }

        public static void construct(String name) {
            events.add("construct " + name);
        }

        public static boolean refused() {
            return refuse;
        }
    }

    /** The class woven: one method per advice shape. */
    public static class Target {
        private final int fd = 7;

        public Target(String name) {
            Recorder.event("constructed");
        }

        public Object handOver(Runnable task) {
            return task;
        }

        public String guarded(String in) {
            if (!in.equals("in")) {
                throw new IllegalStateException(in);
            }
            return in + "!";
        }

        public static int fails(String why) throws IOException {
            throw new IOException(why);
        }

        public boolean remove(Object task) {
            return false;
        }

        public String[] list() {
            return new String[] {"a"};
        }

        public void at(Object path) {
        }

        public Object merge(boolean array) {
            if (array) {
                ArrayList<String> list = new ArrayList<>();
                return list;
            }
            LinkedList<String> list = new LinkedList<>();
            return list;
        }

        public long wide(long a, double b, String c) {
            return a + (long) b;
        }
    }

    static final class WrapAdvice {
        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(value = 0, readOnly = false) Runnable task) {
            task = Recorder.wrap(task);
        }
    }

    static final class RequestLikeAdvice {
        @Advice.OnMethodEnter
        static Object enter(@Advice.Argument(0) String in) {
            return Recorder.enter(in);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Enter Object token, @Advice.Thrown(readOnly = false) Throwable thrown) {
            thrown = Recorder.exit(token, thrown);
        }
    }

    static final class DoneAdvice {
        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit() {
            Recorder.event("done");
        }
    }

    static final class RemoveLikeAdvice {
        @Advice.OnMethodExit
        static void exit(@Advice.Argument(0) Object task, @Advice.Return(readOnly = false) boolean removed) {
            if (!removed) {
                removed = "wrapped".equals(task);
            }
        }
    }

    static final class SkipAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This Object self) {
            return Recorder.refused();
        }
    }

    static final class FieldAdvice {
        @Advice.OnMethodEnter
        static void enter(@Advice.FieldValue("fd") int fd, @Advice.Argument(0) Object path) {
            Recorder.at(fd, path);
        }
    }

    static final class WideAdvice {
        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) long a, @Advice.Argument(1) double b, @Advice.Argument(2) String c) {
            Recorder.wide(a, b, c);
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Return long returned) {
            Recorder.wideReturned(returned);
        }
    }

    static final class ConstructLikeAdvice {
        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) String name) {
            Recorder.construct(name);
        }
    }
}

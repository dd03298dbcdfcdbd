package dev.hostguard.demo;

import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Constructor;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Method;
import java.nio.charset.Charset;
import java.util.Map;

/**
 * Starts processes below ProcessBuilder by reflecting into {@code java.lang.ProcessImpl}, as an
 * exploit would to dodge a guard that only watches the public API. Works only when the JVM runs
 * with {@code --add-opens java.base/java.lang=ALL-UNNAMED}.
 *
 * <p>The arguments are built exactly as JDK 17 and 25's {@code ProcessImpl.start} builds them.
 */
final class ProcessImplBypass {

    private static final String ADD_OPENS = "--add-opens java.base/java.lang=ALL-UNNAMED";

    /** The charset ProcessImpl uses for argv and paths (its JNU_CHARSET). */
    private static final Charset JNU_CHARSET =
            Charset.forName(System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name()));

    private ProcessImplBypass() {
    }

    /** {@code static ProcessImpl.start(cmdarray, env, dir, redirects, redirectErrorStream)}. */
    static Process staticStart(ProcessCommand command) throws Exception {
        Method start = opened("processimpl-start", processImpl().getDeclaredMethod("start",
                String[].class, Map.class, String.class, ProcessBuilder.Redirect[].class, boolean.class));
        // env null = inherit; redirects null = three pipes, as for a default ProcessBuilder
        return (Process) Unwrapped.call(() -> start.invoke(null, command.argv(), null, command.dirPath(), null, true));
    }

    /**
     * {@code private ProcessImpl(prog, argBlock, argc, envBlock, envc, dir, fds,
     * forceNullOutputStream, redirectErrorStream)}.
     */
    static Process constructor(ProcessCommand command) throws Exception {
        Constructor<?> ctor = opened("processimpl-constructor", processImpl().getDeclaredConstructor(
                byte[].class, byte[].class, int.class, byte[].class, int.class, byte[].class, int[].class,
                boolean.class, boolean.class));
        String[] argv = command.argv();
        byte[] prog = cString(argv[0]);
        byte[] argBlock = argBlock(argv);
        byte[] dir = cString(command.dirPath());
        int[] fds = {-1, -1, -1}; // -1 = create a pipe for stdin, stdout and stderr
        // envBlock null / envc 0 = inherit the JVM's environment (ProcessEnvironment maps null to null)
        return (Process) Unwrapped.call(() -> ctor.newInstance(
                prog, argBlock, argv.length - 1, null, 0, dir, fds, false, true));
    }

    private static Class<?> processImpl() throws ClassNotFoundException {
        return Class.forName("java.lang.ProcessImpl");
    }

    private static <T extends AccessibleObject> T opened(String action, T member) {
        try {
            member.setAccessible(true);
            return member;
        } catch (InaccessibleObjectException e) {
            throw new IllegalStateException(action + " needs the JVM to run with " + ADD_OPENS
                    + " (java.lang.ProcessImpl is not open to this code)", e);
        }
    }

    /** NUL-terminated bytes, or null for null (ProcessImpl.toCString). */
    private static byte[] cString(String s) {
        if (s == null) {
            return null;
        }
        byte[] bytes = s.getBytes(JNU_CHARSET);
        byte[] result = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, result, 0, bytes.length);
        return result;
    }

    /** argv[1..] each followed by a NUL, back to back; argv[0] travels separately as prog. */
    private static byte[] argBlock(String[] argv) {
        byte[][] args = new byte[argv.length - 1][];
        int size = args.length;
        for (int i = 0; i < args.length; i++) {
            args[i] = argv[i + 1].getBytes(JNU_CHARSET);
            size += args[i].length;
        }
        byte[] block = new byte[size];
        int at = 0;
        for (byte[] arg : args) {
            System.arraycopy(arg, 0, block, at, arg.length);
            at += arg.length + 1;
        }
        return block;
    }
}

package dev.hostguard.agent;

import java.util.Iterator;
import java.util.stream.Stream;
import jdk.internal.misc.Unsafe;

/**
 * A refused delete where the JDK unlinks a file it has just opened: {@code UnixChannelFactory.open} with
 * {@code DELETE_ON_CLOSE} opens the file, then unlinks it at once and ignores a failure there (best effort, so the
 * spec says), catching only its own {@code sun.nio.fs.UnixException}. A refusal thrown as ours would escape the open
 * with the descriptor made and lost. So at that one caller a refused unlink is thrown as the JDK's exception
 * ({@code EACCES}, as if the system had refused it): the open answers its channel, the file stays, and the
 * descriptor is the channel's, closed with it. Anywhere else the refusal is thrown as ours.
 *
 * <p>{@code UnixException} is package-private; it is made with the JDK's internal {@code Unsafe} (exported to the
 * agent at start-up, as for {@link FileViews}) without its constructor: its fields are set as the constructor
 * {@code UnixException(int)} sets them (the JDK's subclass records no stack trace; the cause and suppressed list of
 * an allocated {@code Throwable} read as none). Only after a refusal, never on an allowed path. Same shapes on JDK 17
 * and 25.
 */
final class DeleteOnCloseRefusals {
    /** Linux {@code EACCES}. */
    private static final int EACCES = 13;
    private static final String DISPATCHER = "sun.nio.fs.UnixNativeDispatcher";
    private static final String CHANNEL_FACTORY = "sun.nio.fs.UnixChannelFactory";

    private DeleteOnCloseRefusals() {
    }

    /**
     * The JDK's own exception when the refused unlink is {@code UnixChannelFactory.open}'s, else {@code null}; also
     * {@code null} when this JDK's {@code UnixException} cannot be made (the refusal is thrown as ours).
     */
    static Throwable forCaller() {
        if (!StackWalker.getInstance().walk(DeleteOnCloseRefusals::calledByChannelOpen)) {
            return null;
        }
        try {
            Unsafe unsafe = Unsafe.getUnsafe();
            Class<?> type = Class.forName("sun.nio.fs.UnixException", false, null);
            Object made = unsafe.allocateInstance(type);
            unsafe.putInt(made, unsafe.objectFieldOffset(type, "errno"), EACCES);
            return (Throwable) made;
        } catch (Throwable notThisJdk) {
            return null;
        }
    }

    /** Whether the dispatcher's method judged was called by {@code UnixChannelFactory.open}. */
    private static boolean calledByChannelOpen(Stream<StackWalker.StackFrame> frames) {
        Iterator<StackWalker.StackFrame> it = frames.iterator();
        while (it.hasNext()) {
            if (DISPATCHER.equals(it.next().getClassName())) {
                if (!it.hasNext()) {
                    return false;
                }
                StackWalker.StackFrame caller = it.next();
                return CHANNEL_FACTORY.equals(caller.getClassName()) && "open".equals(caller.getMethodName());
            }
        }
        return false;
    }
}

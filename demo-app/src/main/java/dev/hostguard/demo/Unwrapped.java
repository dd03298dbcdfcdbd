package dev.hostguard.demo;

import java.lang.reflect.InvocationTargetException;

/**
 * Runs a reflective call and rethrows what the target threw, so the caller sees the real cause
 * (an IOException, or a guard's refusal) rather than a reflection wrapper.
 */
final class Unwrapped {

    @FunctionalInterface
    interface ReflectiveCall {
        Object call() throws Exception;
    }

    private Unwrapped() {
    }

    static Object call(ReflectiveCall call) throws Exception {
        try {
            return call.call();
        } catch (InvocationTargetException e) {
            throw rethrowable(e.getCause());
        }
    }

    static Exception rethrowable(Throwable cause) {
        if (cause instanceof Error error) {
            throw error;
        }
        return cause instanceof Exception exception ? exception : new RuntimeException(cause);
    }
}

package dev.hostguard.demo;

import java.beans.EventHandler;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Public-API ways to start a process that never call {@code pb.start()} directly in the caller's
 * bytecode: what gadget chains and injected handlers typically use. A guard has to catch them all.
 */
final class IndirectProcessStarts {

    private IndirectProcessStarts() {
    }

    static List<Process> pipeline(ProcessCommand command) throws Exception {
        // stderr of the command joins its stdout, so everything arrives at the end of the pipe
        ProcessBuilder head = command.processBuilder().redirectErrorStream(true);
        return ProcessBuilder.startPipeline(List.of(head, new ProcessBuilder("cat")));
    }

    static Process reflection(ProcessCommand command) throws Exception {
        ProcessBuilder pb = command.processBuilder();
        return (Process) Unwrapped.call(() -> ProcessBuilder.class.getMethod("start").invoke(pb));
    }

    static Process methodHandle(ProcessCommand command) throws Exception {
        MethodHandle start = MethodHandles.publicLookup()
                .findVirtual(ProcessBuilder.class, "start", MethodType.methodType(Process.class));
        try {
            return (Process) start.invoke(command.processBuilder());
        } catch (Throwable t) {
            throw Unwrapped.rethrowable(t);
        }
    }

    static Process eventHandler(ProcessCommand command) throws Exception {
        @SuppressWarnings("unchecked")
        Callable<Process> start = EventHandler.create(Callable.class, command.processBuilder(), "start");
        try {
            return start.call();
        } catch (RuntimeException e) {
            // EventHandler wraps a checked exception of the target in a plain RuntimeException
            if (e.getClass() == RuntimeException.class && e.getCause() != null) {
                throw Unwrapped.rethrowable(e.getCause());
            }
            throw e;
        }
    }
}

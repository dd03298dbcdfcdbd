package dev.hostguard.agent.trace;

/** One tracer's current span on this thread, read by reflection through method handles found once. */
abstract class TracerSpans {
    /** Set after the first failure: a tracer that threw is not asked again (the failure was reported once). */
    private volatile boolean broken;

    /** @return the current span's ids; {@code null} when the tracer has none on this thread */
    abstract SpanIds read() throws Throwable;

    /** What this tracer is, for the diagnostic line of a failure. */
    abstract String name();

    final SpanIds current() throws TracerFailure {
        if (broken) {
            return null;
        }
        try {
            return read();
        } catch (Throwable e) {
            broken = true;
            throw new TracerFailure(name(), e);
        }
    }

    /** @return the class named {@code name} in {@code loader} (the boot loader for {@code null}), not initialised */
    static Class<?> classNamed(String name, ClassLoader loader) {
        try {
            return Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError absent) {
            return null;
        }
    }
}

package dev.hostguard.agent.trace;

/** A tracer that failed when asked for its span (or when its API was looked up); it is not asked again. */
public final class TracerFailure extends Exception {
    TracerFailure(String tracer, Throwable cause) {
        super("reading the current span of " + tracer + " failed; its spans are left out of events", cause);
    }
}

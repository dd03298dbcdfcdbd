package dev.hostguard.agent.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The span a tracer in this JVM has current on the calling thread: the OpenTelemetry Java agent's, the
 * application's OpenTelemetry API's, or Datadog's, first found wins. Each tracer is looked up once per class
 * loader (the boot loader's for the agents, the thread's context loader for an application's API), by
 * reflection: nothing of theirs is linked. Asked only when an event is written, on the thread that decides it.
 */
public final class ActiveSpans {
    private final Map<ClassLoader, TracerSpans[]> byLoader = new WeakHashMap<>(); // guarded by this; null key: none

    /**
     * @param contextLoader the thread's context class loader (an application's OpenTelemetry API or Datadog API),
     *                      or {@code null}
     * @return the current span; {@code null} when no tracer has one
     * @throws TracerFailure when a tracer failed (reported once: it is not asked again)
     */
    public SpanIds current(ClassLoader contextLoader) throws TracerFailure {
        List<TracerFailure> failed = new ArrayList<>(0);
        TracerSpans[] tracers = tracers(contextLoader, failed);
        if (!failed.isEmpty()) {
            throw failed.get(0); // once: the loader's tracers are cached without it
        }
        for (TracerSpans tracer : tracers) {
            SpanIds ids = tracer.current();
            if (ids != null) {
                return ids;
            }
        }
        return null;
    }

    private synchronized TracerSpans[] tracers(ClassLoader loader, List<TracerFailure> failed) {
        TracerSpans[] tracers = byLoader.get(loader);
        if (tracers == null) {
            List<TracerSpans> found = new ArrayList<>(3);
            try {
                add(found, OpenTelemetrySpans.find(OpenTelemetrySpans.AGENT_PREFIX, null));
                if (loader != null) {
                    add(found, OpenTelemetrySpans.find("", loader));
                }
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                failed.add(new TracerFailure("OpenTelemetry (its API's methods)", e));
            }
            try {
                add(found, DatadogSpans.find(loader));
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                failed.add(new TracerFailure("Datadog's tracer (its CorrelationIdentifier)", e));
            }
            tracers = found.toArray(new TracerSpans[0]);
            byLoader.put(loader, tracers);
        }
        return tracers;
    }

    private static void add(List<TracerSpans> found, TracerSpans tracer) {
        if (tracer != null) {
            found.add(tracer);
        }
    }
}

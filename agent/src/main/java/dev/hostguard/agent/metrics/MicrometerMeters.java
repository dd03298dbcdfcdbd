package dev.hostguard.agent.metrics;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;

/**
 * {@code metrics=micrometer}: the counters as meters on the service's Micrometer global registry
 * ({@code io.micrometer.core.instrument.Metrics.globalRegistry}), one {@code FunctionCounter} per series, named and
 * tagged as the Prometheus endpoint's ({@code hostguard.decisions}, which Micrometer's Prometheus registry writes
 * {@code hostguard_decisions_total}). Micrometer is found and called by reflection with JDK types only, never
 * linked: the agent has no dependency the service would see.
 *
 * <p>The service loads Micrometer long after the agent starts, in a loader of its own (a Spring Boot jar's, say).
 * Until it does, a watch on class loading compares each loaded class's name with {@code Metrics}' (one string
 * compare, and gone once it is found); the loader it names is handed to one daemon thread,
 * {@code hostguard-micrometer}, which registers every series there is, then waits: each series that counts its
 * first later (a new rule, authentication class or decision) wakes it ({@link LockSupport#unpark}, nothing
 * allocated on the counting thread) to register that one. A Micrometer whose API differs is logged once and left
 * alone (fail open).
 */
public final class MicrometerMeters {
    static final String METRICS_CLASS = "io.micrometer.core.instrument.Metrics";
    private static final String METRICS_INTERNAL_NAME = "io/micrometer/core/instrument/Metrics";

    /** A series' value for Micrometer: Micrometer reads it at each scrape. */
    private static final ToDoubleFunction<AgentMetrics.Series> VALUE = new ToDoubleFunction<>() {
        @Override
        public double applyAsDouble(AgentMetrics.Series series) {
            return series.value().getAsLong();
        }
    };

    private final AgentMetrics metrics;
    private final Instrumentation instrumentation;
    private final Logger log;
    private final LoadWatch watch = new LoadWatch(this);
    private final Thread thread;
    /** Held here: a function counter keeps only a weak reference to its object. Only the thread uses it. */
    private final Map<String, AgentMetrics.Series> registered = new HashMap<>();
    private volatile ClassLoader micrometerLoader;

    private MicrometerMeters(AgentMetrics metrics, Instrumentation instrumentation, Logger log) {
        this.metrics = metrics;
        this.instrumentation = instrumentation;
        this.log = log;
        this.thread = new Thread(new Runnable() { // not a lambda: start-up path
            @Override
            public void run() {
                MicrometerMeters.this.run();
            }
        }, "hostguard-micrometer");
        thread.setDaemon(true);
    }

    /** Watches for Micrometer and starts the thread that registers the meters once it is there. */
    public static MicrometerMeters start(Instrumentation instrumentation, AgentMetrics metrics, Logger log) {
        MicrometerMeters meters = new MicrometerMeters(metrics, instrumentation, log);
        instrumentation.addTransformer(meters.watch, false);
        meters.thread.start();
        return meters;
    }

    /** The registering thread (tests wait for it). */
    Thread thread() {
        return thread;
    }

    private void found(ClassLoader loader) {
        if (micrometerLoader == null) {
            micrometerLoader = loader;
            LockSupport.unpark(thread);
        }
    }

    /** Wakes the thread: a series counted its first (on the counting thread, so nothing more). */
    private void seriesAdded() {
        LockSupport.unpark(thread);
    }

    private void run() {
        // loaded before the watch was in place: the agent attached to a running JVM, or the service was quick
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            if (type.getName().equals(METRICS_CLASS) && type.getClassLoader() != null) {
                found(type.getClassLoader());
                break;
            }
        }
        while (micrometerLoader == null) {
            LockSupport.park(this);
        }
        instrumentation.removeTransformer(watch);
        Registry registry;
        try {
            registry = Registry.of(micrometerLoader);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            log.warn("metrics: Micrometer's API is not the one expected ({}); no HostGuard meters on its registry",
                    e.toString());
            return;
        }
        log.info("metrics: meters hostguard.* on Micrometer's global registry");
        metrics.onSeriesAdded(new Runnable() {
            @Override
            public void run() {
                seriesAdded();
            }
        });
        while (register(registry)) {
            LockSupport.park(this);
        }
    }

    /** Registers the series not registered yet; {@code false} when Micrometer refused in a way that will last. */
    private boolean register(Registry registry) {
        for (AgentMetrics.Series series : metrics.series()) {
            String key = series.key();
            if (registered.containsKey(key)) {
                continue;
            }
            try {
                registry.register(series);
                registered.put(key, series);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                Throwable cause = e instanceof InvocationTargetException ? e.getCause() : e;
                log.warn("metrics: Micrometer refused the meter {} {} ({}); no more HostGuard meters on its registry",
                        series.family().dotted(), series.tags(), String.valueOf(cause));
                return false;
            }
        }
        return true;
    }

    /** Micrometer's global registry and the builder calls that put a function counter on it, by reflection. */
    private record Registry(Object globalRegistry, Method builder, Method tags, Method description,
                            Method register) {
        static Registry of(ClassLoader loader) throws ReflectiveOperationException {
            Class<?> metricsClass = Class.forName(METRICS_CLASS, true, loader);
            Object global = metricsClass.getField("globalRegistry").get(null);
            Class<?> registryType = Class.forName("io.micrometer.core.instrument.MeterRegistry", false, loader);
            Class<?> counterType = Class.forName("io.micrometer.core.instrument.FunctionCounter", false, loader);
            Method builder = counterType.getMethod("builder", String.class, Object.class, ToDoubleFunction.class);
            Class<?> builderType = builder.getReturnType();
            return new Registry(global, builder, builderType.getMethod("tags", String[].class),
                    builderType.getMethod("description", String.class), builderType.getMethod("register", registryType));
        }

        void register(AgentMetrics.Series series) throws ReflectiveOperationException {
            Object b = builder.invoke(null, series.family().dotted(), series, VALUE);
            b = tags.invoke(b, (Object) series.tags().toArray(new String[0]));
            b = description.invoke(b, series.family().help());
            register.invoke(b, globalRegistry);
        }
    }

    /** Notes the loader that loads Micrometer's {@code Metrics}; changes no class. */
    private static final class LoadWatch implements ClassFileTransformer {
        private final MicrometerMeters meters;

        LoadWatch(MicrometerMeters meters) {
            this.meters = meters;
        }

        @Override
        public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                                ProtectionDomain protectionDomain, byte[] classFile) {
            if (loader != null && METRICS_INTERNAL_NAME.equals(className)) {
                meters.found(loader);
            }
            return null;
        }
    }
}

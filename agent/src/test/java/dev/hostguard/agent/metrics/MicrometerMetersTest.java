package dev.hostguard.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.policy.AuthClass;
import dev.hostguard.agent.policy.Decision;
import dev.hostguard.agent.policy.Mode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.slf4j.helpers.NOPLogger;

/**
 * The meters on Micrometer's global registry, against the real Micrometer (a test dependency only: the agent calls
 * it by reflection): every series the counters have, those that count their first later too, with the Prometheus
 * text's names and values; Micrometer found already loaded, as on an attach.
 */
class MicrometerMetersTest {

    @Test
    void everySeriesIsAMeterOnTheGlobalRegistryWithItsLiveValue() throws Exception {
        SimpleMeterRegistry simple = new SimpleMeterRegistry();
        Metrics.addRegistry(simple);
        try {
            AgentMetrics metrics = new AgentMetrics();
            Decision blocked = new Decision(Decision.Verdict.BLOCK, "micrometer-test-start");
            metrics.decided(blocked, AuthClass.API_KEY, Mode.BLOCK);
            metrics.decided(blocked, AuthClass.API_KEY, Mode.BLOCK);
            metrics.hookFailed();

            MicrometerMeters.start(loadedAlready(Metrics.class), metrics, NOPLogger.NOP_LOGGER);
            // the registering thread adds one series after another: wait for all three read below
            awaitTrue(() -> count(simple, "hostguard.decisions", "micrometer-test-start", "api-key") == 2
                    && simple.find("hostguard.hook.failures").functionCounter() != null
                    && simple.find("hostguard.events.dropped").tag("reason", "queue_full").functionCounter() != null);
            assertEquals(1.0, simple.get("hostguard.hook.failures").functionCounter().count());
            assertEquals(0.0, simple.get("hostguard.events.dropped").tag("reason", "queue_full").functionCounter()
                    .count());

            // a series that counts its first after the registration: registered when it does
            metrics.decided(blocked, AuthClass.USER, Mode.BLOCK);
            metrics.suppressed("micrometer-test-start");
            awaitTrue(() -> count(simple, "hostguard.decisions", "micrometer-test-start", "user") == 1
                    && simple.find("hostguard.events.suppressed").tag("rule", "micrometer-test-start")
                    .functionCounter() != null);
            metrics.decided(blocked, AuthClass.API_KEY, Mode.BLOCK);
            assertEquals(3, count(simple, "hostguard.decisions", "micrometer-test-start", "api-key"), "read live");

            // the same series and values as the Prometheus text, one meter each
            Map<String, Long> prometheus = new TreeMap<>();
            for (String line : PrometheusText.of(metrics).split("\n")) {
                if (!line.startsWith("#")) {
                    int space = line.lastIndexOf(' ');
                    prometheus.put(line.substring(0, space), Long.parseLong(line.substring(space + 1)));
                }
            }
            Map<String, Long> meters = new TreeMap<>();
            for (Meter meter : simple.getMeters()) {
                if (meter.getId().getName().startsWith("hostguard.")) {
                    meters.put(prometheusName(meter), (long) ((FunctionCounter) meter).count());
                }
            }
            assertEquals(prometheus, meters);
        } finally {
            Metrics.removeRegistry(simple);
        }
    }

    @Test
    void aMicrometerWhoseApiDiffersIsOneWarningAndNoMeter() throws Exception {
        // a Metrics class with a globalRegistry and nothing else of Micrometer's beside it
        Class<?> metricsOfAnotherShape = new net.bytebuddy.ByteBuddy().subclass(Object.class)
                .name(MicrometerMeters.METRICS_CLASS)
                .defineField("globalRegistry", Object.class, java.lang.reflect.Modifier.PUBLIC
                        | java.lang.reflect.Modifier.STATIC)
                .make().load(new ClassLoader(null) { }).getLoaded();
        List<String> said = new java.util.concurrent.CopyOnWriteArrayList<>();
        org.slf4j.Logger log = (org.slf4j.Logger) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {org.slf4j.Logger.class}, (proxy, method, args) -> {
                    if (method.getName().equals("warn") || method.getName().equals("info")
                            || method.getName().equals("error")) {
                        said.add(method.getName() + " " + args[0]);
                    }
                    return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
                });
        AgentMetrics metrics = new AgentMetrics();
        metrics.decided(new Decision(Decision.Verdict.BLOCK, "process-start"), AuthClass.NONE, Mode.BLOCK);
        MicrometerMeters meters = MicrometerMeters.start(loadedAlready(metricsOfAnotherShape), metrics, log);
        meters.thread().join(10_000);
        assertTrue(!meters.thread().isAlive(), "the thread gave up");
        assertEquals(List.of("warn metrics: Micrometer's API is not the one expected ({}); no HostGuard meters on its"
                + " registry"), said);
        metrics.decided(new Decision(Decision.Verdict.BLOCK, "proc-environ"), AuthClass.NONE, Mode.BLOCK); // counts on
        assertEquals(1, metrics.snapshot().decisions("proc-environ", "none", "blocked", "block"));
    }

    /** The meter as Prometheus names it: underscores, {@code _total}, the tags in the Prometheus text's order. */
    private static String prometheusName(Meter meter) {
        StringBuilder name = new StringBuilder(meter.getId().getName().replace('.', '_')).append("_total");
        String[] order = {"rule", "auth", "decision", "mode", "reason"};
        String sep = "{";
        for (String key : order) {
            String value = meter.getId().getTag(key);
            if (value != null) {
                name.append(sep).append(key).append("=\"").append(value).append('"');
                sep = ",";
            }
        }
        return sep.equals(",") ? name.append('}').toString() : name.toString();
    }

    private static long count(SimpleMeterRegistry registry, String name, String rule, String auth) {
        FunctionCounter counter = registry.find(name).tag("rule", rule).tag("auth", auth).functionCounter();
        return counter == null ? -1 : (long) counter.count();
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within 10 s");
            Thread.sleep(5); // polling a condition with a deadline, not a fixed wait
        }
    }

    /** An {@link Instrumentation} whose loaded classes are {@code loaded}; transformers are accepted and ignored. */
    private static Instrumentation loadedAlready(Class<?>... loaded) {
        return (Instrumentation) Proxy.newProxyInstance(MicrometerMetersTest.class.getClassLoader(),
                new Class<?>[] {Instrumentation.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getAllLoadedClasses" -> loaded;
                    case "removeTransformer" -> args[0] instanceof ClassFileTransformer;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> method.getReturnType() == boolean.class ? Boolean.FALSE : null;
                });
    }
}

package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.tools.attach.VirtualMachine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code metrics} option: a scripted run of refused opens in block mode (the JDK {@code HttpServer} app, the
 * default rate limit) shows exactly in the Prometheus endpoint and in the MBeans ({@code metrics=jmx+127.0.0.1:0})
 * (read over the JVM's local JMX connector, through the Attach API), and with {@code micrometer} on the service's
 * Micrometer global registry, loaded by the service after the first findings; without the option there is neither the
 * endpoint's line nor a {@code hostguard-metrics} or {@code hostguard-micrometer} thread, nor the MBeans.
 */
class MetricsIT {
    private static final String TEST = MetricsIT.class.getSimpleName();
    private static final Pattern ENDPOINT = Pattern.compile("metrics: Prometheus text on http://([\\d.]+):(\\d+)/metrics");

    @TempDir
    static Path tmp;

    @TestFactory
    Stream<DynamicTest> countersOfAScriptedRun() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Jdks.Jdk jdk : Jdks.all()) {
            tests.add(dynamicTest("[" + jdk.label() + "] Prometheus endpoint and MBeans count the run exactly",
                    () -> scriptedRun(jdk)));
        }
        for (Jdks.Jdk jdk : Jdks.all()) {
            tests.add(dynamicTest("[" + jdk.label() + "] Micrometer's global registry counts the run as the endpoint",
                    () -> micrometerRun(jdk)));
        }
        Jdks.Jdk build = Jdks.all().get(0);
        tests.add(dynamicTest("[" + build.label() + "] without the option: no endpoint, no thread, no MBeans",
                () -> withoutTheOption(build)));
        return tests.stream();
    }

    private static int refuse(GuardedService service, String path, int n) {
        HttpTestClient.Response response = service.withCredentials(HttpTestClient.get(service.process().baseUri(),
                "/admin/storm").query("n", String.valueOf(n)).query("path", path), Credentials.API_KEY).send();
        assertEquals(200, response.status(), response.toString());
        assertEquals(n, response.json().get("refused").asInt(), response.toString());
        return response.json().get("suppressed").asInt();
    }

    private static void scriptedRun(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(jdk.label()));
        try (GuardedService service = GuardedService.start(TEST, GuardedServer.HTTPSERVER_APP, jdk, "block", dir,
                b -> b.addAgentOption("metrics=jmx+127.0.0.1:0"))) {
            Matcher endpoint = service.process().awaitLine(ENDPOINT, Duration.ofSeconds(30));
            assertTrue(endpoint != null, "the endpoint's line");
            URI metrics = URI.create("http://" + endpoint.group(1) + ":" + endpoint.group(2) + "/metrics");
            refuse(service, "/proc/self/environ", 7);
            int suppressed = refuse(service, "/proc/self/cmdline", 250); // beyond the 100/s of the rate limit
            assertTrue(suppressed >= 50, suppressed + " suppressed");
            HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics)
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, scrape.statusCode());
            assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            String text = scrape.body();
            System.out.printf("[it] %s %s scrape:%n%s", TEST, jdk.label(), text);
            assertTrue(text.contains("hostguard_decisions_total{rule=\"proc-environ\",auth=\"api-key\","
                    + "decision=\"blocked\",mode=\"block\"} 7\n"), text);
            assertTrue(text.contains("hostguard_decisions_total{rule=\"proc-cmdline\",auth=\"api-key\","
                    + "decision=\"blocked\",mode=\"block\"} 250\n"), text);
            assertTrue(text.contains("hostguard_events_suppressed_total{rule=\"proc-cmdline\"} " + suppressed + "\n"),
                    text);
            assertFalse(text.contains("rule=\"proc-environ\"} "), "nothing of proc-environ suppressed: " + text);
            assertTrue(text.contains("hostguard_hook_failures_total 0\n"), text);
            assertTrue(text.contains("hostguard_events_dropped_total{reason=\"write_failed\"} 0\n"), text);
            assertEquals(2, text.lines().filter(l -> l.startsWith("hostguard_decisions_total{")).count(), text);
            assertEquals(404, HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics.resolve("/other"))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode());

            try (JMXConnector jmx = connect(service.pid())) {
                MBeanServerConnection mbeans = jmx.getMBeanServerConnection();
                ObjectName decisions = new ObjectName("dev.hostguard:type=Decisions");
                assertEquals(7L, mbeans.getAttribute(decisions, "proc-environ.api-key.blocked.block"));
                assertEquals(250L, mbeans.getAttribute(decisions, "proc-cmdline.api-key.blocked.block"));
                assertEquals((long) suppressed, mbeans.getAttribute(new ObjectName("dev.hostguard:type=EventsSuppressed"),
                        "proc-cmdline"));
                assertEquals(0L, mbeans.getAttribute(new ObjectName("dev.hostguard:type=Agent"), "HookFailures"));
                assertEquals(2, mbeans.getMBeanInfo(decisions).getAttributes().length);
            }
        }
    }

    /**
     * {@code metrics=jmx+micrometer+127.0.0.1:0} in a service that loads Micrometer only at its first
     * {@code /micrometer} call, after the first findings: every series shows on Micrometer's global registry, those
     * counted before Micrometer loaded and those counted after, with the endpoint's and the MBeans' numbers exactly.
     */
    private static void micrometerRun(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(jdk.label() + "-micrometer"));
        List<Path> classPath = new ArrayList<>(List.of(BuiltArtifacts.testClasses(), BuiltArtifacts.demoJar()));
        classPath.addAll(List.of(BuiltArtifacts.micrometerJars()));
        try (GuardedService service = GuardedService.start(TEST, GuardedServer.HTTPSERVER_APP, jdk, "block", dir,
                b -> b.mainClass("dev.hostguard.it.app.HttpServerApp", classPath.toArray(new Path[0]))
                        .addAgentOption("metrics=jmx+micrometer+127.0.0.1:0"))) {
            Matcher endpoint = service.process().awaitLine(ENDPOINT, Duration.ofSeconds(30));
            assertTrue(endpoint != null, "the endpoint's line");
            URI metrics = URI.create("http://" + endpoint.group(1) + ":" + endpoint.group(2) + "/metrics");
            refuse(service, "/proc/self/environ", 7);
            assertFalse(service.process().anyLine(l -> l.contains(ON_MICROMETER)), "Micrometer not loaded yet");

            micrometer(service); // the service loads Micrometer now
            assertTrue(service.process().awaitLine(Pattern.compile(Pattern.quote(ON_MICROMETER)),
                    Duration.ofSeconds(30)) != null, "the meters' line");
            int suppressed = refuse(service, "/proc/self/cmdline", 250); // beyond the 100/s of the rate limit
            assertTrue(suppressed >= 50, suppressed + " suppressed");

            // the registration runs on the agent's thread: wait until the registry has every series of the endpoint
            Map<String, Long> scraped = Map.of();
            Map<String, Long> meters = Map.of();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                scraped = prometheusSeries(HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics)
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body());
                meters = micrometerSeries(micrometer(service));
                if (meters.equals(scraped)) {
                    break;
                }
            }
            System.out.printf("[it] %s %s Micrometer's HostGuard meters:%n%s%n", TEST, jdk.label(),
                    micrometer(service));
            assertEquals(scraped, meters, "Micrometer's meters against the Prometheus endpoint's series");
            assertEquals(7L, meters.get("hostguard_decisions_total{auth=\"api-key\",decision=\"blocked\","
                    + "mode=\"block\",rule=\"proc-environ\"}"), meters.toString());
            assertEquals(250L, meters.get("hostguard_decisions_total{auth=\"api-key\",decision=\"blocked\","
                    + "mode=\"block\",rule=\"proc-cmdline\"}"), meters.toString());
            assertEquals((long) suppressed, meters.get("hostguard_events_suppressed_total{rule=\"proc-cmdline\"}"));
            assertEquals(0L, meters.get("hostguard_hook_failures_total"));
            assertEquals(2, meters.keySet().stream().filter(k -> k.startsWith("hostguard_decisions_total")).count());
            try (JMXConnector jmx = connect(service.pid())) {
                MBeanServerConnection mbeans = jmx.getMBeanServerConnection();
                ObjectName decisions = new ObjectName("dev.hostguard:type=Decisions");
                assertEquals(7L, mbeans.getAttribute(decisions, "proc-environ.api-key.blocked.block"));
                assertEquals(250L, mbeans.getAttribute(decisions, "proc-cmdline.api-key.blocked.block"));
                assertEquals((long) suppressed, mbeans.getAttribute(
                        new ObjectName("dev.hostguard:type=EventsSuppressed"), "proc-cmdline"));
            }
        }
    }

    private static final String ON_MICROMETER = "metrics: meters hostguard.* on Micrometer's global registry";
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    /** The app's {@code /micrometer}: its HostGuard meters, one line each. */
    private static String micrometer(GuardedService service) {
        HttpTestClient.Response response = HttpTestClient.get(service.process().baseUri(), "/micrometer").send();
        assertEquals(200, response.status(), response.toString());
        return response.body().strip();
    }

    /** The Prometheus text's series, each as {@code name{label="value",...}} with the labels sorted, and values. */
    private static Map<String, Long> prometheusSeries(String text) {
        Map<String, Long> series = new TreeMap<>();
        for (String line : text.lines().toList()) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String id = line.substring(0, space);
            int brace = id.indexOf('{');
            Map<String, String> labels = new TreeMap<>();
            if (brace >= 0) {
                Matcher label = LABEL.matcher(id.substring(brace));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
            }
            series.put(seriesKey(brace < 0 ? id : id.substring(0, brace), labels),
                    Long.parseLong(line.substring(space + 1)));
        }
        return series;
    }

    /** {@code /micrometer}'s lines ({@code hostguard.decisions auth=api-key ... 7}) keyed as Prometheus names them. */
    private static Map<String, Long> micrometerSeries(String text) {
        Map<String, Long> series = new TreeMap<>();
        for (String line : text.lines().filter(l -> !l.isBlank()).toList()) {
            String[] words = line.split(" ");
            Map<String, String> tags = new TreeMap<>();
            for (int i = 1; i < words.length - 1; i++) {
                int eq = words[i].indexOf('=');
                tags.put(words[i].substring(0, eq), words[i].substring(eq + 1));
            }
            series.put(seriesKey(words[0].replace('.', '_') + "_total", tags), Long.parseLong(words[words.length - 1]));
        }
        return series;
    }

    private static String seriesKey(String name, Map<String, String> labels) {
        StringBuilder key = new StringBuilder(name);
        String sep = "{";
        for (Map.Entry<String, String> e : labels.entrySet()) {
            key.append(sep).append(e.getKey()).append("=\"").append(e.getValue()).append('"');
            sep = ",";
        }
        return labels.isEmpty() ? key.toString() : key.append('}').toString();
    }

    private static void withoutTheOption(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(jdk.label() + "-off"));
        try (GuardedService service = GuardedService.start(TEST, GuardedServer.HTTPSERVER_APP, jdk, "block", dir)) {
            refuse(service, "/proc/self/environ", 3);
            try (JMXConnector jmx = connect(service.pid())) {
                MBeanServerConnection mbeans = jmx.getMBeanServerConnection();
                assertEquals(0, mbeans.queryNames(new ObjectName("dev.hostguard:*"), null).size());
                Object threads = mbeans.invoke(new ObjectName("java.lang:type=Threading"), "dumpAllThreads",
                        new Object[] {false, false}, new String[] {"boolean", "boolean"});
                for (Object info : (Object[]) threads) {
                    String name = String.valueOf(((javax.management.openmbean.CompositeData) info).get("threadName"));
                    assertFalse(name.startsWith("hostguard-metrics") || name.startsWith("hostguard-micrometer")
                            || name.startsWith("hostguard-events"), name);
                }
            }
            assertFalse(service.process().anyLine(l -> l.contains("metrics:")));
        }
    }

    /** The JVM's local JMX connector, started through the Attach API. */
    private static JMXConnector connect(long pid) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(String.valueOf(pid));
        try {
            return JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()));
        } finally {
            vm.detach();
        }
    }
}

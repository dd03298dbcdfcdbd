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
 * (read over the JVM's local JMX connector, through the Attach API); without the option there is neither the
 * endpoint's line nor the {@code hostguard-metrics} thread, nor the MBeans.
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
                    assertFalse(name.startsWith("hostguard-metrics") || name.startsWith("hostguard-events"), name);
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

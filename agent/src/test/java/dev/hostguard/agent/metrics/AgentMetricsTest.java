package dev.hostguard.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hostguard.agent.policy.AuthClass;
import dev.hostguard.agent.policy.Decision;
import dev.hostguard.agent.policy.Mode;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** The counters, their Prometheus text and MBeans, the option, and that counting allocates nothing. */
class AgentMetricsTest {
    private static final Decision BLOCKED = new Decision(Decision.Verdict.BLOCK, "process-start");
    private static final Decision LOGGED = new Decision(Decision.Verdict.LOG, "proc-environ");

    @Test
    void decisionsAreCountedByRuleAuthDecisionAndMode() {
        AgentMetrics metrics = new AgentMetrics();
        for (int i = 0; i < 3; i++) {
            metrics.decided(BLOCKED, AuthClass.API_KEY, Mode.BLOCK);
        }
        metrics.decided(BLOCKED, AuthClass.NONE, Mode.BLOCK);
        metrics.decided(LOGGED, null, Mode.AUDIT);
        metrics.suppressed("process-start");
        metrics.hookFailed();
        metrics.policyReloaded();
        metrics.policyError();
        metrics.policyError();
        metrics.policyTampered();
        AgentMetrics.Snapshot s = metrics.snapshot();
        assertEquals(List.of(
                new AgentMetrics.Decisions("proc-environ", "outside-request", "logged", "audit", 1),
                new AgentMetrics.Decisions("process-start", "api-key", "blocked", "block", 3),
                new AgentMetrics.Decisions("process-start", "none", "blocked", "block", 1)), s.decisions());
        assertEquals(Map.of("process-start", 1L), s.suppressed());
        assertEquals(List.of(1L, 1L, 2L, 1L), List.of(s.hookFailures(), s.policyReloads(), s.policyErrors(),
                s.policyTampered()));
        assertEquals(3, s.decisions("process-start", "api-key", "blocked", "block"));
    }

    @Test
    void thePrometheusTextHasEveryCounterWithHelpAndType() {
        AgentMetrics metrics = new AgentMetrics();
        metrics.decided(BLOCKED, AuthClass.API_KEY, Mode.BLOCK);
        metrics.decided(new Decision(Decision.Verdict.LOG, "we\"ird"), AuthClass.USER, Mode.AUDIT);
        metrics.suppressed("process-start");
        metrics.tamperAttempt();
        metrics.tamperAttempt();
        String text = PrometheusText.of(metrics);
        assertTrue(text.contains("# TYPE hostguard_decisions_total counter\n"), text);
        assertTrue(text.contains("hostguard_decisions_total{rule=\"process-start\",auth=\"api-key\","
                + "decision=\"blocked\",mode=\"block\"} 1\n"), text);
        assertTrue(text.contains("hostguard_decisions_total{rule=\"we\\\"ird\",auth=\"user\",decision=\"logged\","
                + "mode=\"audit\"} 1\n"), text);
        assertTrue(text.contains("hostguard_events_suppressed_total{rule=\"process-start\"} 1\n"), text);
        assertTrue(text.contains("hostguard_events_dropped_total{reason=\"queue_full\"} 0\n"), text);
        assertTrue(text.contains("hostguard_policy_tampered_total 0\n"), text);
        assertTrue(text.contains("hostguard_tamper_total 2\n"), text);
        for (String line : text.split("\n")) {
            assertTrue(line.startsWith("# HELP ") || line.startsWith("# TYPE ") || line.matches("hostguard_\\w+"
                    + "(\\{.*\\})? \\d+"), line);
        }
    }

    @Test
    void theMBeansShowTheCounters() throws Exception {
        AgentMetrics metrics = new AgentMetrics();
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        MetricsExposure.registerMBeans(server, metrics);
        metrics.decided(BLOCKED, AuthClass.API_KEY, Mode.BLOCK);
        metrics.decided(BLOCKED, AuthClass.API_KEY, Mode.BLOCK);
        metrics.hookFailed();
        assertEquals(2L, server.getAttribute(new ObjectName(MetricsExposure.DECISIONS),
                "process-start.api-key.blocked.block"));
        assertEquals(1L, server.getAttribute(new ObjectName(MetricsExposure.AGENT), "HookFailures"));
        assertEquals(1, server.getMBeanInfo(new ObjectName(MetricsExposure.DECISIONS)).getAttributes().length);
    }

    @Test
    void theOptionIsOffOrJmxMicrometerAndAnAddress() {
        assertEquals(MetricsOption.OFF, MetricsOption.parse("off"));
        assertEquals(new MetricsOption(true, false, null), MetricsOption.parse("JMX"));
        MetricsOption prometheus = MetricsOption.parse("127.0.0.1:9464");
        assertEquals(9464, prometheus.prometheus().getPort());
        assertEquals("127.0.0.1", prometheus.prometheus().getHostString());
        assertEquals(0, MetricsOption.parse("[::1]:0").prometheus().getPort());
        assertNull(MetricsOption.parse("jmx").prometheus());
        assertEquals(false, prometheus.jmx());
        MetricsOption both = MetricsOption.parse("jmx+127.0.0.1:9464");
        assertEquals(true, both.jmx());
        assertEquals(9464, both.prometheus().getPort());
        assertEquals("jmx+127.0.0.1:9464", both.toString());
        assertEquals(new MetricsOption(false, true, null), MetricsOption.parse("micrometer"));
        MetricsOption all = MetricsOption.parse("micrometer+127.0.0.1:9464+jmx");
        assertEquals(true, all.jmx() && all.micrometer());
        assertEquals("jmx+micrometer+127.0.0.1:9464", all.toString());
        for (String bad : new String[] {"9464", "127.0.0.1:", "127.0.0.1:99999", "on", ":9464", "jmx+", "jmx9464",
                "jmx+jmx", "micrometer+", "127.0.0.1:1+127.0.0.1:2", "micrometr"}) {
            assertThrows(IllegalArgumentException.class, () -> MetricsOption.parse(bad), bad);
        }
    }

    @Test
    void countingAllocatesNothingOnceARuleWasSeen() {
        java.lang.management.ThreadMXBean plain = ManagementFactory.getThreadMXBean();
        assumeTrue(plain instanceof com.sun.management.ThreadMXBean, "no allocation counter on this JVM");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) plain;
        AgentMetrics metrics = new AgentMetrics();
        String[] rules = {"process-start", "proc-environ", "runtime-socket"};
        AuthClass[] auths = AuthClass.values();
        Decision[] decisions = new Decision[rules.length];
        for (int i = 0; i < rules.length; i++) {
            decisions[i] = new Decision(Decision.Verdict.BLOCK, rules[i]);
        }
        for (int i = 0; i < 20_000; i++) { // first sight of each rule, and the JIT
            metrics.decided(decisions[i % rules.length], auths[i % auths.length], Mode.BLOCK);
            metrics.suppressed(rules[i % rules.length]);
        }
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 100_000; i++) {
            metrics.decided(decisions[i % rules.length], auths[i % auths.length], Mode.BLOCK);
            metrics.suppressed(rules[i % rules.length]);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertTrue(allocated < 1024, allocated + " bytes allocated by 200,000 counts");
    }
}

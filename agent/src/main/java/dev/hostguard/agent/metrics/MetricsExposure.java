package dev.hostguard.agent.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;

/**
 * Shows {@link AgentMetrics} when the {@code metrics} option asks for it: as MBeans ({@code dev.hostguard:type=
 * Decisions}, {@code type=EventsSuppressed}, {@code type=Agent}) with {@code jmx}, and as a Prometheus text endpoint
 * on a port of its own with an address. All of it on one daemon thread, {@code hostguard-metrics}, started only
 * with the option; the platform MBean server is created on the agent's account only with {@code jmx}.
 */
public final class MetricsExposure {
    static final String DECISIONS = "dev.hostguard:type=Decisions";
    static final String SUPPRESSED = "dev.hostguard:type=EventsSuppressed";
    static final String AGENT = "dev.hostguard:type=Agent";

    private final MetricsOption option;
    private final Logger log;
    private volatile ServerSocket server;

    private MetricsExposure(MetricsOption option, Logger log) {
        this.option = option;
        this.log = log;
    }

    /** Starts the thread; {@code null} without {@code jmx} or an endpoint's address. */
    public static MetricsExposure start(MetricsOption option, Logger log) {
        if (!option.jmx() && option.prometheus() == null) {
            return null;
        }
        MetricsExposure exposure = new MetricsExposure(option, log);
        Thread thread = new Thread(new Runnable() { // not a lambda: start-up path
            @Override
            public void run() {
                exposure.run();
            }
        }, "hostguard-metrics");
        thread.setDaemon(true);
        thread.start();
        return exposure;
    }

    private void run() {
        if (option.jmx()) {
            try {
                registerMBeans(ManagementFactory.getPlatformMBeanServer(), AgentMetrics.INSTANCE);
                log.info("metrics: MBeans {}, {}, {}", DECISIONS, SUPPRESSED, AGENT);
            } catch (Exception | LinkageError e) {
                log.warn("cannot register the metrics MBeans ({})", e.toString());
            }
        }
        InetSocketAddress address = option.prometheus();
        if (address == null) {
            return;
        }
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(address, 16);
            server = socket;
            log.info("metrics: Prometheus text on http://{}:{}/metrics", address.getHostString(),
                    socket.getLocalPort());
        } catch (IOException e) {
            log.error("metrics: cannot listen on {} ({}); no Prometheus endpoint", option, e.toString());
            return;
        }
        serve();
    }

    static void registerMBeans(MBeanServer mbeans, AgentMetrics metrics) throws Exception {
        mbeans.registerMBean(new CounterMBean(metrics, DECISIONS,
                "HostGuard's decided findings: <rule>.<auth>.<decision>.<mode>") {
            @Override
            Map<String, Long> counters(AgentMetrics.Snapshot s) {
                Map<String, Long> counters = new LinkedHashMap<>();
                for (AgentMetrics.Decisions d : s.decisions()) {
                    counters.put(d.rule() + "." + d.auth() + "." + d.decision() + "." + d.mode(), d.count());
                }
                return counters;
            }
        }, new ObjectName(DECISIONS));
        mbeans.registerMBean(new CounterMBean(metrics, SUPPRESSED, "Events the rate limit held back, by rule") {
            @Override
            Map<String, Long> counters(AgentMetrics.Snapshot s) {
                return new LinkedHashMap<>(s.suppressed());
            }
        }, new ObjectName(SUPPRESSED));
        mbeans.registerMBean(new CounterMBean(metrics, AGENT, "HostGuard's own counters") {
            @Override
            Map<String, Long> counters(AgentMetrics.Snapshot s) {
                Map<String, Long> counters = new LinkedHashMap<>();
                counters.put("EventsDroppedQueueFull", s.droppedQueueFull());
                counters.put("EventsDroppedWriteFailed", s.droppedWriteFailed());
                counters.put("HookFailures", s.hookFailures());
                counters.put("PolicyReloads", s.policyReloads());
                counters.put("PolicyErrors", s.policyErrors());
                counters.put("PolicyTampered", s.policyTampered());
                counters.put("TamperAttempts", s.tamperAttempts());
                return counters;
            }
        }, new ObjectName(AGENT));
    }

    /** One connection at a time: a scrape is a few kilobytes, once every few seconds. */
    private void serve() {
        while (true) {
            try (Socket client = server.accept()) {
                client.setSoTimeout(5000);
                String requestLine = readHead(client.getInputStream());
                answer(client.getOutputStream(), requestLine);
            } catch (IOException | RuntimeException e) {
                if (server.isClosed()) {
                    return;
                }
                // a client that went away or sent nonsense: the next one
            }
        }
    }

    /** The request line; the rest of the head is read and ignored. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int previous = -1;
        int c;
        while ((c = in.read()) != -1 && head.length() < 8192) {
            head.append((char) c);
            int n = head.length();
            if (n >= 4 && head.charAt(n - 1) == '\n' && head.charAt(n - 3) == '\n'
                    || n >= 2 && c == '\n' && previous == '\n') {
                break;
            }
            previous = c;
        }
        int end = head.indexOf("\r\n");
        return end < 0 ? head.toString().trim() : head.substring(0, end);
    }

    private static void answer(OutputStream out, String requestLine) throws IOException {
        String[] parts = requestLine.split(" ");
        boolean get = parts.length >= 2 && (parts[0].equals("GET") || parts[0].equals("HEAD"));
        String path = parts.length >= 2 ? parts[1] : "";
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        if (!get || !(path.equals("/metrics") || path.equals("/"))) {
            write(out, "404 Not Found", "text/plain; charset=utf-8", "only GET /metrics\n", true);
            return;
        }
        write(out, "200 OK", PrometheusText.CONTENT_TYPE, PrometheusText.of(AgentMetrics.INSTANCE),
                parts[0].equals("GET"));
    }

    private static void write(OutputStream out, String status, String type, String body, boolean withBody)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + "\r\nContent-Type: " + type + "\r\nContent-Length: " + bytes.length
                + "\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        if (withBody) {
            out.write(bytes);
        }
        out.flush();
    }

    /** The port the endpoint listens on, once it does; {@code -1} before or without one. */
    public int port() {
        ServerSocket socket = server;
        return socket == null ? -1 : socket.getLocalPort();
    }
}

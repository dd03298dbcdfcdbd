package dev.hostguard.agent.metrics;

import java.net.InetSocketAddress;

/**
 * The {@code metrics} option: {@code off} (the default: nothing exposed, no thread), {@code jmx} (MBeans
 * {@code dev.hostguard:type=...}), {@code <host>:<port>} (a Prometheus text endpoint there; port {@code 0} picks a
 * free one), or both: {@code jmx+<host>:<port>}. The MBeans are asked for by name because registering them creates
 * the JVM's platform MBean server, some 450 classes, where the service has none of its own.
 *
 * @param jmx whether the MBeans are registered
 * @param prometheus the endpoint's address; {@code null} without one
 */
public record MetricsOption(boolean jmx, InetSocketAddress prometheus) {
    public static final MetricsOption OFF = new MetricsOption(false, null);

    public boolean enabled() {
        return jmx || prometheus != null;
    }

    /**
     * Reads an option value.
     *
     * @throws IllegalArgumentException with what was expected
     */
    public static MetricsOption parse(String value) {
        String v = value.trim();
        if (v.isEmpty() || v.equalsIgnoreCase("off")) {
            return OFF;
        }
        boolean jmx = false;
        if (v.regionMatches(true, 0, "jmx", 0, 3)) {
            if (v.length() == 3) {
                return new MetricsOption(true, null);
            }
            if (v.charAt(3) == '+') {
                jmx = true;
                v = v.substring(4);
            }
        }
        int colon = v.lastIndexOf(':');
        if (colon > 0) {
            String host = v.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                int port = Integer.parseInt(v.substring(colon + 1));
                if (port >= 0 && port <= 65535 && !host.isEmpty()) {
                    return new MetricsOption(jmx, new InetSocketAddress(host, port));
                }
            } catch (NumberFormatException e) {
                // below
            }
        }
        throw new IllegalArgumentException("expected off, jmx, <host>:<port> for a Prometheus endpoint (like"
                + " 127.0.0.1:9464), or jmx+<host>:<port> for both");
    }

    @Override
    public String toString() {
        String endpoint = prometheus == null ? "" : prometheus.getHostString() + ":" + prometheus.getPort();
        return !enabled() ? "off" : prometheus == null ? "jmx" : jmx ? "jmx+" + endpoint : endpoint;
    }
}

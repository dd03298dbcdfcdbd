package dev.hostguard.agent.metrics;

import java.net.InetSocketAddress;

/**
 * The {@code metrics} option: {@code off} (the default: nothing exposed, no thread), {@code jmx} (MBeans
 * {@code dev.hostguard:type=...}), or {@code <host>:<port>} (the MBeans and a Prometheus text endpoint there;
 * port {@code 0} picks a free one).
 *
 * @param prometheus the endpoint's address; {@code null} without one
 */
public record MetricsOption(boolean enabled, InetSocketAddress prometheus) {
    public static final MetricsOption OFF = new MetricsOption(false, null);

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
        if (v.equalsIgnoreCase("jmx")) {
            return new MetricsOption(true, null);
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
                    return new MetricsOption(true, new InetSocketAddress(host, port));
                }
            } catch (NumberFormatException e) {
                // below
            }
        }
        throw new IllegalArgumentException("expected off, jmx or <host>:<port> for a Prometheus endpoint (like"
                + " 127.0.0.1:9464)");
    }

    @Override
    public String toString() {
        return !enabled ? "off" : prometheus == null ? "jmx"
                : "jmx+prometheus " + prometheus.getHostString() + ":" + prometheus.getPort();
    }
}

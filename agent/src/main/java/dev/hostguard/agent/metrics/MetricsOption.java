package dev.hostguard.agent.metrics;

import java.net.InetSocketAddress;

/**
 * The {@code metrics} option: {@code off} (the default: nothing exposed, no thread), or one or more of, joined by
 * {@code +}: {@code jmx} (MBeans {@code dev.hostguard:type=...}), {@code micrometer} (meters on the service's
 * Micrometer global registry, once the service loads Micrometer) and {@code <host>:<port>} (a Prometheus text
 * endpoint there; port {@code 0} picks a free one), as in {@code jmx+127.0.0.1:9464}. Each is asked for by name:
 * registering MBeans creates the JVM's platform MBean server, some 450 classes, where the service has none of its
 * own; meters on the service's registry show on the service's own dashboards, beside its own.
 *
 * @param jmx whether the MBeans are registered
 * @param micrometer whether meters are registered on Micrometer's global registry
 * @param prometheus the endpoint's address; {@code null} without one
 */
public record MetricsOption(boolean jmx, boolean micrometer, InetSocketAddress prometheus) {
    public static final MetricsOption OFF = new MetricsOption(false, false, null);

    private static final String EXPECTED = "expected off, or one or more of jmx, micrometer and <host>:<port> for a"
            + " Prometheus endpoint (like 127.0.0.1:9464), joined by + (like jmx+127.0.0.1:9464)";

    public boolean enabled() {
        return jmx || micrometer || prometheus != null;
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
        boolean micrometer = false;
        InetSocketAddress prometheus = null;
        for (String part : v.split("\\+", -1)) {
            if (part.equalsIgnoreCase("jmx") && !jmx) {
                jmx = true;
            } else if (part.equalsIgnoreCase("micrometer") && !micrometer) {
                micrometer = true;
            } else if (prometheus == null) {
                prometheus = address(part);
            } else {
                throw new IllegalArgumentException(EXPECTED);
            }
        }
        return new MetricsOption(jmx, micrometer, prometheus);
    }

    private static InetSocketAddress address(String part) {
        int colon = part.lastIndexOf(':');
        if (colon > 0) {
            String host = part.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                int port = Integer.parseInt(part.substring(colon + 1));
                if (port >= 0 && port <= 65535 && !host.isEmpty()) {
                    return new InetSocketAddress(host, port);
                }
            } catch (NumberFormatException e) {
                // below
            }
        }
        throw new IllegalArgumentException(EXPECTED);
    }

    @Override
    public String toString() {
        if (!enabled()) {
            return "off";
        }
        StringBuilder out = new StringBuilder();
        if (jmx) {
            out.append("jmx");
        }
        if (micrometer) {
            out.append(out.length() > 0 ? "+" : "").append("micrometer");
        }
        if (prometheus != null) {
            out.append(out.length() > 0 ? "+" : "").append(prometheus.getHostString()).append(':')
                    .append(prometheus.getPort());
        }
        return out.toString();
    }
}

package dev.hostguard.agent.policy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * One network endpoint of a rule or an allow entry: a host (an IPv4 or IPv6 address or network in CIDR notation, a
 * DNS name, or any host) and a port or port range (or any port). Written as the policy writes it:
 *
 * <ul>
 *   <li>{@code 169.254.169.254}, {@code 169.254.0.0/16}, {@code 10.0.0.1:6443}, {@code 10.0.0.0/8:2375-2377}</li>
 *   <li>{@code fd00:ec2::254} (an IPv6 address alone), {@code [fd00:ec2::254]}, {@code [fd00::/8]:443}</li>
 *   <li>{@code metadata.google.internal}, {@code docker:2376}, {@code *.svc.cluster.local} (any name ending so),
 *       {@code kubernetes.default.svc.*} (any name beginning so); names are compared without case, a final dot
 *       ignored</li>
 *   <li>{@code *:2375} or {@code :2375} (that port on any host), {@code 10250-10255}, {@code *:10250-10255}</li>
 * </ul>
 *
 * <p>A name matches only the name the caller connected to (the name an {@code InetAddress} carries when it was
 * resolved for the connect), never one found by a reverse lookup. Matching allocates nothing.
 *
 * @param kind what the host part is
 * @param v4Network an IPv4 network (its address bits, host bits zero); for {@link Kind#IPV4}
 * @param v4Mask the IPv4 prefix as a mask
 * @param v6Network the IPv6 network's 16 bytes (host bits zero); for {@link Kind#IPV6}, else {@code null}
 * @param prefix the prefix length (32 or 128 for one address)
 * @param name the name pattern, lower case, no final dot; for {@link Kind#NAME}, else {@code null}
 * @param portFrom the first port, 0 for any
 * @param portTo the last port, 65535 for any
 * @param text the endpoint as written
 */
public record Endpoint(Kind kind, int v4Network, int v4Mask, byte[] v6Network, int prefix, String name,
                       int portFrom, int portTo, String text) {

    /** What the host part of an endpoint is. */
    public enum Kind {
        ANY_HOST,
        IPV4,
        IPV6,
        NAME
    }

    /** The host part of an endpoint, parsed. */
    private record Host(Kind kind, int v4, int prefix, byte[] v6, String name) {
    }

    /** Thrown for an endpoint that cannot be read; its message says what is wrong and what is expected. */
    public static final class InvalidEndpointException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidEndpointException(String message) {
            super(message);
        }
    }

    /** What the policy's error messages say an endpoint looks like. */
    public static final String EXPECTED = "expected an address (169.254.169.254, fd00:ec2::254), a network"
            + " (10.0.0.0/8, [fd00::/8]), a name (metadata.google.internal, *.svc.cluster.local), each with an"
            + " optional :port or :port-range ([fd00::1]:443 for IPv6), or a port alone (*:2375)";

    /**
     * Reads an endpoint as the policy writes it.
     *
     * @throws InvalidEndpointException naming what is wrong
     */
    public static Endpoint parse(String text) {
        String s = text == null ? "" : text.trim();
        if (s.isEmpty()) {
            throw new InvalidEndpointException("an empty endpoint; " + EXPECTED);
        }
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new InvalidEndpointException("'" + s + "' has '[' without ']'; " + EXPECTED);
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new InvalidEndpointException("'" + s + "': after ']' only ':port' may follow");
                }
                port = rest.substring(1);
            }
            if (host.indexOf(':') < 0) {
                throw new InvalidEndpointException("'" + s + "': brackets are for IPv6 addresses");
            }
        } else if (s.indexOf(':') != s.lastIndexOf(':')) {
            host = s; // an IPv6 address alone: its colons are its own
        } else if (s.indexOf(':') >= 0) {
            host = s.substring(0, s.indexOf(':'));
            port = s.substring(s.indexOf(':') + 1);
        } else if (isPortText(s)) {
            host = "*";
            port = s;
        } else {
            host = s;
        }
        int[] ports = port == null ? new int[] {0, 65535} : ports(port, s);
        Host h = host(host.isEmpty() ? "*" : host, s);
        return switch (h.kind()) {
            case ANY_HOST -> {
                if (port == null || ports[0] == 0 && ports[1] == 65535) {
                    throw new InvalidEndpointException("'" + s + "' is any host on any port; name a host or a port");
                }
                yield new Endpoint(Kind.ANY_HOST, 0, 0, null, 0, null, ports[0], ports[1], s);
            }
            case IPV4 -> new Endpoint(Kind.IPV4, h.v4() & mask4(h.prefix()), mask4(h.prefix()), null, h.prefix(),
                    null, ports[0], ports[1], s);
            case IPV6 -> new Endpoint(Kind.IPV6, 0, 0, network6(h.v6(), h.prefix()), h.prefix(), null, ports[0],
                    ports[1], s);
            case NAME -> new Endpoint(Kind.NAME, 0, 0, null, 0, h.name(), ports[0], ports[1], s);
        };
    }

    /** Whether the endpoint names every port. */
    public boolean anyPort() {
        return portFrom == 0 && portTo == 65535;
    }

    /**
     * Whether a connect matches, allocation-free.
     *
     * @param ipv6 whether the address is IPv6 (then {@code v6} holds its 16 bytes), else IPv4 ({@code v4})
     * @param v4 the IPv4 address as a number ({@code Inet4Address.hashCode()})
     * @param v6 the IPv6 address's 16 bytes; read, never changed (it may be the JDK's own array)
     * @param name the name the caller connected to; {@code null} when it gave an address
     */
    public boolean matches(boolean ipv6, int v4, byte[] v6, String name, int port) {
        if (port < portFrom || port > portTo) {
            return false;
        }
        return switch (kind) {
            case ANY_HOST -> true;
            case IPV4 -> !ipv6 && (v4 & v4Mask) == v4Network;
            case IPV6 -> ipv6 && v6 != null && inNetwork6(v6);
            case NAME -> name != null && nameMatches(this.name, name);
        };
    }

    /** {@link #matches(boolean, int, byte[], String, int)} for an address given as an object (allocates for IPv6). */
    public boolean matches(InetAddress address, String name, int port) {
        if (address instanceof Inet6Address) {
            return matches(true, 0, address.getAddress(), name, port);
        }
        return matches(false, address == null ? 0 : address.hashCode(), null, name, port);
    }

    private boolean inNetwork6(byte[] address) {
        int full = prefix >>> 3;
        for (int i = 0; i < full; i++) {
            if (address[i] != v6Network[i]) {
                return false;
            }
        }
        int bits = prefix & 7;
        if (bits == 0) {
            return true;
        }
        int mask = (0xff << (8 - bits)) & 0xff;
        return (address[full] & mask) == (v6Network[full] & 0xff);
    }

    /**
     * A name against a pattern, without case and ignoring a final dot of the name: {@code *.suffix} any name
     * ending with {@code .suffix}, {@code prefix.*} any name beginning with {@code prefix.}, else the exact name.
     */
    static boolean nameMatches(String pattern, String name) {
        int length = name.length();
        if (length > 0 && name.charAt(length - 1) == '.') {
            length--;
        }
        if (pattern.startsWith("*.")) {
            int suffix = pattern.length() - 1; // ".suffix"
            return length > suffix && name.regionMatches(true, length - suffix, pattern, 1, suffix);
        }
        if (pattern.endsWith(".*")) {
            int start = pattern.length() - 1; // "prefix."
            return length > start && name.regionMatches(true, 0, pattern, 0, start);
        }
        return length == pattern.length() && name.regionMatches(true, 0, pattern, 0, length);
    }

    private static boolean isPortText(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < '0' || c > '9') && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static int[] ports(String text, String whole) {
        String t = text.trim();
        if (t.equals("*")) {
            return new int[] {0, 65535};
        }
        int dash = t.indexOf('-');
        int from = port(dash < 0 ? t : t.substring(0, dash), whole);
        int to = dash < 0 ? from : port(t.substring(dash + 1), whole);
        if (to < from) {
            throw new InvalidEndpointException("'" + whole + "': the port range " + t + " ends before it starts");
        }
        return new int[] {from, to};
    }

    private static int port(String text, String whole) {
        if (text.isEmpty() || text.length() > 5 || !isDigits(text)) {
            throw new InvalidEndpointException("'" + whole + "': bad port '" + text + "'; expected 1 to 65535, a range"
                    + " such as 2375-2377, or '*'");
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new InvalidEndpointException("'" + whole + "': port " + port + " out of range; expected 1 to 65535");
        }
        return port;
    }

    private static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return !s.isEmpty();
    }

    private static Host host(String text, String whole) {
        if (text.equals("*")) {
            return new Host(Kind.ANY_HOST, 0, 0, null, null);
        }
        String address = text;
        int prefix = -1;
        int slash = text.indexOf('/');
        if (slash >= 0) {
            address = text.substring(0, slash);
            String bits = text.substring(slash + 1);
            if (!isDigits(bits) || bits.length() > 3) {
                throw new InvalidEndpointException("'" + whole + "': bad prefix length '" + bits + "' in a network;"
                        + " expected e.g. 10.0.0.0/8 or [fd00::/8]");
            }
            prefix = Integer.parseInt(bits);
        }
        Integer v4 = ipv4(address);
        if (v4 != null) {
            if (prefix > 32) {
                throw new InvalidEndpointException("'" + whole + "': an IPv4 prefix is at most 32, not " + prefix);
            }
            return new Host(Kind.IPV4, v4, prefix < 0 ? 32 : prefix, null, null);
        }
        if (address.indexOf(':') >= 0) {
            byte[] v6 = ipv6(address, whole);
            if (v6.length == 4) { // an IPv4-mapped address, which Java connects as IPv4
                if (prefix >= 0 && prefix < 96) {
                    throw new InvalidEndpointException("'" + whole + "': an IPv4-mapped network needs a prefix of at"
                            + " least 96");
                }
                return new Host(Kind.IPV4, toInt(v6), prefix < 0 ? 32 : prefix - 96, null, null);
            }
            if (prefix > 128) {
                throw new InvalidEndpointException("'" + whole + "': an IPv6 prefix is at most 128, not " + prefix);
            }
            return new Host(Kind.IPV6, 0, prefix < 0 ? 128 : prefix, v6, null);
        }
        if (slash >= 0) {
            throw new InvalidEndpointException("'" + whole + "': '" + address + "' is not an IP address, so it cannot"
                    + " have a prefix length");
        }
        return new Host(Kind.NAME, 0, 0, null, name(address, whole));
    }

    /** An IPv4 address in dotted-quad form ({@code 169.254.169.254}), or {@code null} when the text is not one. */
    static Integer ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        int value = 0;
        for (String part : parts) {
            if (!isDigits(part) || part.length() > 3) {
                return null;
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                return null;
            }
            value = value << 8 | octet;
        }
        return value;
    }

    /** An IPv6 literal's bytes (4 bytes for an IPv4-mapped one); never a DNS lookup: the text holds a colon. */
    private static byte[] ipv6(String text, String whole) {
        if (text.indexOf('%') >= 0) {
            throw new InvalidEndpointException("'" + whole + "': a scoped IPv6 address (with %) is not supported");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.digit(c, 16) < 0 && c != ':' && c != '.') {
                throw new InvalidEndpointException("'" + whole + "': '" + text + "' is not an IPv6 address; " + EXPECTED);
            }
        }
        try {
            return InetAddress.getByName(text).getAddress(); // a literal with ':' is parsed, never looked up
        } catch (UnknownHostException e) {
            throw new InvalidEndpointException("'" + whole + "': '" + text + "' is not an IPv6 address; " + EXPECTED);
        }
    }

    private static String name(String text, String whole) {
        String name = text.toLowerCase(Locale.ROOT);
        if (name.endsWith(".") && name.length() > 1 && !name.endsWith("*.")) {
            name = name.substring(0, name.length() - 1);
        }
        String body = name;
        if (body.startsWith("*.")) {
            body = body.substring(2);
        } else if (body.endsWith(".*")) {
            body = body.substring(0, body.length() - 2);
        }
        if (body.isEmpty() || body.indexOf('*') >= 0 || body.startsWith(".") || body.endsWith(".")
                || body.contains("..")) {
            throw new InvalidEndpointException("'" + whole + "': bad host name '" + text + "'; a name may start with"
                    + " '*.' (any name ending so) or end with '.*' (any name beginning so), and has no other '*'");
        }
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_')) {
                throw new InvalidEndpointException("'" + whole + "': bad host name '" + text + "'; expected letters,"
                        + " digits, '-', '_' and '.'");
            }
        }
        return name;
    }

    private static int mask4(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    private static byte[] network6(byte[] address, int prefix) {
        byte[] network = address.clone();
        for (int bit = prefix; bit < 128; bit++) {
            network[bit >>> 3] &= (byte) ~(0x80 >>> (bit & 7));
        }
        return network;
    }

    private static int toInt(byte[] four) {
        return (four[0] & 0xff) << 24 | (four[1] & 0xff) << 16 | (four[2] & 0xff) << 8 | four[3] & 0xff;
    }

    /** The text form of an IPv4 address given as a number. */
    public static String ipv4Text(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff);
    }

    /** {@code host:port}, with an IPv6 address in brackets. */
    public static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** The address of an IPv4 or IPv6 literal (no lookup); {@code null} when {@code text} is not one. */
    public static InetAddress literal(String text) {
        try {
            Integer v4 = ipv4(text);
            if (v4 != null) {
                return Inet4Address.getByAddress(new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16),
                    (byte) (v4 >>> 8), (byte) (int) v4});
            }
            return text.indexOf(':') >= 0 ? InetAddress.getByAddress(ipv6(text, text)) : null;
        } catch (UnknownHostException | InvalidEndpointException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Endpoint e && e.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}

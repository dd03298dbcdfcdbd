package dev.hostguard.agent;

import dev.hostguard.agent.policy.Endpoint;
import dev.hostguard.agent.policy.FileAccess;
import dev.hostguard.agent.policy.NetworkRules;
import dev.hostguard.agent.policy.Operation;
import dev.hostguard.agent.policy.Rule;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * A network connect as the rules see it: the address (an IPv4 number or an IPv6 address's bytes), the port, and the
 * name the caller connected to, read from the {@code InetAddress} without a lookup ({@link InetAddressFields}).
 * Matching a connect that matches nothing allocates nothing: the port is tested first (one bit), the name and the
 * IPv6 bytes are read in place and only when some endpoint can use them.
 */
final class NetworkConnects {
    private NetworkConnects() {
    }

    /** The rule the connect matches, or {@code null}; allocation-free. */
    static Rule match(NetworkRules rules, InetAddress address, int port) {
        if (rules.isEmpty() || !rules.coversPort(port)) {
            return null;
        }
        boolean ipv6 = address instanceof Inet6Address;
        byte[] v6 = ipv6 && rules.hasIpv6() ? InetAddressFields.ipv6((Inet6Address) address) : null;
        String name = rules.hasNames() ? InetAddressFields.hostName(address) : null;
        return rules.match(ipv6, ipv6 ? 0 : address.hashCode(), v6, name, port); // Inet4Address.hashCode: its address
    }

    /** The operation to judge and write: address, port and name as text (a finding: allocating is fine). */
    static Operation operation(InetAddress address, int port, Rule rule) {
        return use(FileAccess.CONNECT, address, port, rule);
    }

    /** The connect ({@code access} CONNECT) or a later read or write of the connection it made. */
    static Operation use(FileAccess access, InetAddress address, int port, Rule rule) {
        String text = address instanceof Inet6Address ? address.getHostAddress() : Endpoint.ipv4Text(address.hashCode());
        return Operation.networkConnect(access, text, port, InetAddressFields.hostName(address), rule);
    }
}

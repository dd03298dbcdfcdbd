package dev.hostguard.agent.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Precompiled matching of network connects against the network rules: the default control-plane rules
 * ({@link DefaultNetworkRules}) and a policy's endpoints. {@link #match} runs on every TCP connect inside a guarded
 * request: when nothing matches it allocates nothing (a scan of a few ints per endpoint, names compared in place).
 * The first endpoint that matches names the rule. Immutable and thread-safe.
 */
public final class NetworkRules {
    private final Endpoint[] endpoints;
    private final Rule[] endpointRules;
    private final List<Rule> rules;
    /** Whether some endpoint is a name: only then is the name of a connect read at all. */
    private final boolean hasNames;
    /** Whether some endpoint is an IPv6 network: only then are an IPv6 connect's address bytes read. */
    private final boolean hasIpv6;
    /** Bit n set when some endpoint covers port n, or all ports (then all bits): a first, one-load test. */
    private final long[] ports = new long[1024];

    private NetworkRules(Builder builder) {
        List<Endpoint> kept = new ArrayList<>();
        List<Rule> keptRules = new ArrayList<>();
        boolean names = false;
        boolean ipv6 = false;
        for (int i = 0; i < builder.endpoints.size(); i++) {
            Rule rule = builder.endpointRules.get(i);
            if (builder.disabled.contains(rule.id())) {
                continue; // switched off by a policy
            }
            Endpoint endpoint = builder.endpoints.get(i);
            kept.add(endpoint);
            keptRules.add(rule);
            names |= endpoint.kind() == Endpoint.Kind.NAME;
            ipv6 |= endpoint.kind() == Endpoint.Kind.IPV6;
            for (int port = endpoint.portFrom(); port <= endpoint.portTo(); port++) {
                ports[port >>> 6] |= 1L << port;
            }
        }
        this.endpoints = kept.toArray(new Endpoint[0]);
        this.endpointRules = keptRules.toArray(new Rule[0]);
        this.hasNames = names;
        this.hasIpv6 = ipv6;
        this.rules = List.copyOf(builder.rules.values());
    }

    /** The default network rules, with the endpoints the environment names ({@code DOCKER_HOST}, ...). */
    public static NetworkRules defaults() {
        return builder().addDefaults(System.getenv()).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether no endpoint is left (every rule switched off): the hook then has nothing to look at. */
    public boolean isEmpty() {
        return endpoints.length == 0;
    }

    /** Whether a connect's name can matter: some endpoint is a name. */
    public boolean hasNames() {
        return hasNames;
    }

    /** Whether an IPv6 connect's address can matter: some endpoint is an IPv6 address or network. */
    public boolean hasIpv6() {
        return hasIpv6;
    }

    /** Whether some endpoint covers {@code port}: when not, nothing can match and nothing more need be read. */
    public boolean coversPort(int port) {
        return port >= 0 && port <= 65535 && (ports[port >>> 6] & 1L << port) != 0;
    }

    /**
     * The rule a connect matches, or {@code null}; allocation-free.
     *
     * @param ipv6 whether the address is IPv6 ({@code v6}) or IPv4 ({@code v4})
     * @param v4 the IPv4 address as a number ({@code Inet4Address.hashCode()})
     * @param v6 the IPv6 address's 16 bytes, read only; may be {@code null} when {@link #hasIpv6()} is false
     * @param name the name the caller connected to; {@code null} when it gave an address
     */
    public Rule match(boolean ipv6, int v4, byte[] v6, String name, int port) {
        if (!coversPort(port)) {
            return null;
        }
        for (int i = 0; i < endpoints.length; i++) {
            if (endpoints[i].matches(ipv6, v4, v6, name, port)) {
                return endpointRules[i];
            }
        }
        return null;
    }

    /** The rules with endpoints, in the order added (switched-off ones included). */
    public List<Rule> rules() {
        return rules;
    }

    /** The endpoints in force, each with its rule id, in order (for {@code check} and tests). */
    public Map<Endpoint, String> endpoints() {
        Map<Endpoint, String> all = new LinkedHashMap<>();
        for (int i = 0; i < endpoints.length; i++) {
            all.putIfAbsent(endpoints[i], endpointRules[i].id());
        }
        return all;
    }

    /** Collects endpoints with their rules; {@link #build()} compiles them. */
    public static final class Builder {
        private final List<Endpoint> endpoints = new ArrayList<>();
        private final List<Rule> endpointRules = new ArrayList<>();
        private final Map<String, Rule> rules = new LinkedHashMap<>();
        private final Set<String> disabled = new HashSet<>();

        private Builder() {
        }

        /** Adds {@code endpoint} to {@code rule}. */
        public Builder endpoint(Rule rule, Endpoint endpoint) {
            endpoints.add(endpoint);
            endpointRules.add(rule);
            rules.putIfAbsent(rule.id(), rule);
            return this;
        }

        /** As {@link #endpoint(Rule, Endpoint)}, written as the policy writes it. */
        public Builder endpoint(Rule rule, String endpoint) {
            return endpoint(rule, Endpoint.parse(endpoint));
        }

        /** The default control-plane rules, with the endpoints {@code environment} names. */
        public Builder addDefaults(Map<String, String> environment) {
            DefaultNetworkRules.addTo(this, environment);
            return this;
        }

        /** Leaves out the endpoints of these rules (switched off by a policy). */
        public Builder disable(Collection<String> ruleIds) {
            disabled.addAll(ruleIds);
            return this;
        }

        public NetworkRules build() {
            return new NetworkRules(this);
        }
    }
}

package dev.hostguard.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.policy.Action;
import dev.hostguard.agent.policy.AllowEntry;
import dev.hostguard.agent.policy.AuthClass;
import dev.hostguard.agent.policy.Decision;
import dev.hostguard.agent.policy.DefaultNetworkRules;
import dev.hostguard.agent.policy.Endpoint;
import dev.hostguard.agent.policy.FileAccess;
import dev.hostguard.agent.policy.Mode;
import dev.hostguard.agent.policy.Operation;
import dev.hostguard.agent.policy.Policy;
import dev.hostguard.agent.policy.PolicyEngine;
import dev.hostguard.agent.policy.Rule;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The network parts of a policy file: endpoints added to rules, rules of one's own, allow entries by route. */
class NetworkPolicyTest {
    private static Policy parse(String yaml) throws InvalidPolicyException {
        return PolicyParser.parse(yaml, "p.yaml");
    }

    private static List<String> problems(String yaml) {
        InvalidPolicyException e = assertThrows(InvalidPolicyException.class, () -> parse(yaml));
        return e.problems().stream().map(PolicyProblem::toString).toList();
    }

    private static PolicyEngine engine(String yaml) throws InvalidPolicyException {
        return new PolicyEngine(parse(yaml), Mode.BLOCK, List.of(), Map.of());
    }

    private static Rule match(PolicyEngine engine, String address, String name, int port) {
        InetAddress a = Endpoint.literal(address);
        boolean v6 = a instanceof java.net.Inet6Address;
        return engine.networkRules().match(v6, v6 ? 0 : a.hashCode(), v6 ? a.getAddress() : null, name, port);
    }

    private static Decision decide(PolicyEngine engine, String address, String name, int port, AuthClass auth,
                                   String method, String path) {
        Rule rule = match(engine, address, name, port);
        return engine.decide(Operation.networkConnect(FileAccess.CONNECT, address, port, name, rule), auth, method, path);
    }

    @Test
    void endpointsAddToADefaultRuleAndMakeRulesOfOnesOwn() throws Exception {
        PolicyEngine engine = engine("""
                rules:
                  - id: docker-api-tcp
                    endpoints: ["127.0.0.1:40123", "docker-in-docker:2999"]
                  - id: internal-admin
                    description: the admin API of the billing system
                    endpoints: ["10.20.0.0/16:8443", "[fd12::/16]:8443", "*.admin.internal"]
                  - id: kubelet-api
                    action: log
                """);
        assertEquals("docker-api-tcp", match(engine, "127.0.0.1", "localhost", 40123).id());
        assertEquals("docker-api-tcp", match(engine, "172.18.0.3", "docker-in-docker", 2999).id());
        assertEquals("docker-api-tcp", match(engine, "172.18.0.3", null, 2375).id(), "the defaults stay");
        assertEquals("internal-admin", match(engine, "10.20.3.4", null, 8443).id());
        assertEquals("internal-admin", match(engine, "fd12:3::4", null, 8443).id());
        assertEquals("internal-admin", match(engine, "10.1.1.1", "billing.admin.internal", 80).id());
        assertNull(match(engine, "10.21.3.4", null, 8443));
        assertEquals(List.of("internal-admin"), engine.addedRules().stream().map(Rule::id).toList());
        assertEquals("custom", engine.addedRules().get(0).category());
        assertTrue(decide(engine, "10.20.3.4", null, 8443, AuthClass.API_KEY, "GET", "/x").blocked(),
                "a rule of one's own blocks by default");
        assertEquals(Decision.Verdict.LOG, decide(engine, "10.0.0.9", null, 10250, AuthClass.API_KEY, "GET", "/x")
                .verdict(), "kubelet-api set to log");
        assertTrue(decide(engine, "169.254.169.254", null, 80, AuthClass.NONE, "GET", "/x").blocked());
        assertTrue(decide(engine, "169.254.169.254", null, 80, AuthClass.USER, "GET", "/x").allowed(),
                "a logged-in user's connect runs");
    }

    @Test
    void switchingARuleOrItsCategoryOffRemovesItsEndpoints() throws Exception {
        PolicyEngine engine = engine("""
                rules:
                  - id: cloud-metadata
                    action: off
                  - category: Kubernetes control plane
                    action: off
                """);
        assertNull(match(engine, "169.254.169.254", null, 80));
        assertNull(match(engine, "10.0.0.1", null, 10250));
        assertNull(match(engine, "10.0.0.1", null, 2379));
        assertNull(match(engine, "10.0.0.1", "kubernetes.default.svc", 443));
        assertEquals("docker-api-tcp", match(engine, "10.0.0.1", null, 2375).id());
    }

    @Test
    void allowEntriesByRouteAndEndpoint() throws Exception {
        PolicyEngine engine = engine("""
                allow:
                  - operation: network-connect
                    endpoint: "169.254.169.254:80"
                    route: "GET /credentials/refresh"
                    auth: [api-key]
                    reason: the SDK refreshes the instance role's credentials
                  - operation: network-connect
                    endpoint: "docker:2376"
                    route: "POST /builds"
                    reason: the build service talks to its own Docker-in-Docker
                  - operation: network-connect
                    endpoint: "10.0.0.0/8:10250"
                    reason: the node agent reads the kubelet's stats
                """);
        Decision allowed = decide(engine, "169.254.169.254", null, 80, AuthClass.API_KEY, "GET", "/credentials/refresh");
        assertEquals(1, allowed.allowedBy().index());
        assertTrue(decide(engine, "169.254.169.254", null, 80, AuthClass.NONE, "GET", "/credentials/refresh")
                .blocked(), "auth api-key only");
        assertTrue(decide(engine, "169.254.169.254", null, 80, AuthClass.API_KEY, "GET", "/other").blocked(),
                "another route");
        assertTrue(decide(engine, "169.254.169.254", null, 443, AuthClass.API_KEY, "GET", "/credentials/refresh")
                .blocked(), "another port");
        assertTrue(decide(engine, "169.254.169.254", "metadata.google.internal", 80, AuthClass.API_KEY, "GET",
                "/credentials/refresh").allowedBy() != null, "the address is what the entry names");
        assertEquals(2, decide(engine, "172.18.0.2", "docker", 2376, AuthClass.API_KEY, "POST", "/builds")
                .allowedBy().index());
        assertTrue(decide(engine, "172.18.0.2", null, 2376, AuthClass.API_KEY, "POST", "/builds").blocked(),
                "a name entry needs the name");
        assertEquals(3, decide(engine, "10.3.3.3", null, 10250, AuthClass.API_KEY, "GET", "/stats").allowedBy()
                .index());
        assertTrue(decide(engine, "192.168.3.3", null, 10250, AuthClass.API_KEY, "GET", "/stats").blocked());
        AllowEntry entry = parse("""
                allow:
                  - operation: network-connect
                    endpoint: "[fd00:ec2::254]:80"
                    reason: r
                """).allow().get(0);
        assertEquals(Action.NETWORK_CONNECT, entry.operation());
        assertEquals("[fd00:ec2::254]:80", entry.endpoint().text());
        assertEquals("network-connect [fd00:ec2::254]:80 on any route", PolicySummary.describe(entry));
    }

    @Test
    void badEndpointsAndMisplacedKeysNameTheirLine() {
        assertEquals(List.of(
                "p.yaml:3:17: bad endpoint: '10.0.0.0/40': an IPv4 prefix is at most 32, not 40",
                "p.yaml:3:32: bad endpoint: '127.0.0.1:99999': port 99999 out of range; expected 1 to 65535",
                "p.yaml:5:16: endpoints can only be added to a network rule (docker-api-tcp, kubelet-api, etcd,"
                        + " kubernetes-api, cloud-metadata) or a rule of your own, not to 'proc-environ'",
                "p.yaml:7:16: an empty endpoints list; " + Endpoint.EXPECTED),
                problems("""
                        rules:
                          - id: mine
                            endpoints: ["10.0.0.0/40", "127.0.0.1:99999"]
                          - id: proc-environ
                            endpoints: ["10.0.0.1"]
                          - id: empty
                            endpoints: []
                        """));
        assertEquals(List.of(
                "p.yaml:2:5: a network-connect entry needs an 'endpoint' (" + Endpoint.EXPECTED + ")",
                "p.yaml:3:11: 'path' does not apply to network-connect (it takes endpoint)",
                "p.yaml:6:15: bad endpoint: 'metadata.*.internal': bad host name 'metadata.*.internal'; a name may"
                        + " start with '*.' (any name ending so) or end with '.*' (any name beginning so), and has no"
                        + " other '*'",
                "p.yaml:9:15: 'endpoint' does not apply to file-open (it takes path and access)"),
                problems("""
                        allow:
                          - operation: network-connect
                            path: /x
                            reason: r
                          - operation: network-connect
                            endpoint: metadata.*.internal
                            reason: r
                          - operation: file-open
                            endpoint: 10.0.0.1
                            path: /x
                            reason: r
                        """));
        assertTrue(problems("allow:\n  - operation: network-conect\n    reason: r\n").get(0)
                .endsWith("did you mean 'network-connect'?"));
    }

    @Test
    void theNetworkRulesAreKnownToThePolicy() throws Exception {
        for (Rule rule : DefaultNetworkRules.rules()) {
            assertTrue(PolicyEngine.knownRules().contains(rule), rule.id());
        }
        assertFalse(parse("rules: [{id: etcd, action: log}]\n").rules().isEmpty());
        assertFalse(parse("rules: [{category: cloud credentials, action: off}]\n").rules().isEmpty());
    }
}

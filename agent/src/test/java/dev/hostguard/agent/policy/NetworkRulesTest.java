package dev.hostguard.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Endpoints as the policy writes them, and the default network rules, matched as the connect hook matches them. */
class NetworkRulesTest {
    private static final NetworkRules DEFAULTS = NetworkRules.builder().addDefaults(Map.of()).build();

    private static InetAddress literal(String text) {
        InetAddress address = Endpoint.literal(text);
        if (address == null) {
            throw new AssertionError("not a literal: " + text);
        }
        return address;
    }

    /** The rule id a connect to {@code address} (an IP literal) on {@code port}, by {@code name}, matches; or null. */
    private static String match(NetworkRules rules, String address, String name, int port) {
        InetAddress a = literal(address);
        boolean v6 = a instanceof java.net.Inet6Address;
        Rule rule = rules.match(v6, v6 ? 0 : a.hashCode(), v6 ? a.getAddress() : null, name, port);
        return rule == null ? null : rule.id();
    }

    @Test
    void theDefaultsMatchTheControlPlanes() {
        assertEquals("docker-api-tcp", match(DEFAULTS, "10.1.2.3", null, 2375));
        assertEquals("docker-api-tcp", match(DEFAULTS, "172.17.0.1", null, 2376));
        assertEquals("docker-api-tcp", match(DEFAULTS, "::1", null, 2377));
        assertEquals("kubelet-api", match(DEFAULTS, "10.0.0.5", null, 10250));
        assertEquals("kubelet-api", match(DEFAULTS, "10.0.0.5", null, 10255));
        assertEquals("etcd", match(DEFAULTS, "10.0.0.5", null, 2379));
        assertEquals("etcd", match(DEFAULTS, "10.0.0.5", null, 2380));
        assertEquals("cloud-metadata", match(DEFAULTS, "169.254.169.254", null, 80));
        assertEquals("cloud-metadata", match(DEFAULTS, "169.254.169.254", null, 443));
        assertEquals("cloud-metadata", match(DEFAULTS, "fd00:ec2::254", null, 80));
        assertEquals("cloud-metadata", match(DEFAULTS, "100.100.100.200", null, 80));
        assertEquals("cloud-metadata", match(DEFAULTS, "169.254.170.2", null, 80));
        assertEquals("cloud-metadata", match(DEFAULTS, "10.9.9.9", "metadata.google.internal", 80));
        assertEquals("cloud-metadata", match(DEFAULTS, "10.9.9.9", "Metadata.Google.Internal.", 80));
        assertEquals("kubernetes-api", match(DEFAULTS, "10.96.0.1", "kubernetes.default.svc", 443));
        assertEquals("kubernetes-api", match(DEFAULTS, "10.96.0.1", "kubernetes.default.svc.cluster.local", 443));
        assertEquals("kubernetes-api", match(DEFAULTS, "10.96.0.1", "kubernetes.default", 443));
        assertEquals("kubernetes-api", match(DEFAULTS, "10.96.0.1", "kubernetes", 6443));
    }

    @Test
    void ordinaryConnectsMatchNothing() {
        assertNull(match(DEFAULTS, "127.0.0.1", "localhost", 5432));
        assertNull(match(DEFAULTS, "10.96.0.1", null, 443), "the API server's address only with the environment's");
        assertNull(match(DEFAULTS, "169.254.169.253", null, 80));
        assertNull(match(DEFAULTS, "fd00:ec2::253", null, 80));
        assertNull(match(DEFAULTS, "10.0.0.5", "notkubernetes.default.svc", 443));
        assertNull(match(DEFAULTS, "10.0.0.5", "metadata.google.internal.evil.example", 80));
        assertNull(match(DEFAULTS, "10.0.0.5", "api.example.com", 2374));
        assertNull(match(DEFAULTS, "10.0.0.5", "api.example.com", 2381));
        assertFalse(DEFAULTS.coversPort(5432) && match(DEFAULTS, "10.0.0.5", null, 5432) != null);
    }

    @Test
    void theEnvironmentNamesTheDockerHostAndTheApiServer() {
        NetworkRules rules = NetworkRules.builder().addDefaults(Map.of(
                "DOCKER_HOST", "tcp://docker:2999",
                "CONTAINER_HOST", "tcp://[fd00::7]:8888/v4.0",
                "KUBERNETES_SERVICE_HOST", "10.96.0.1",
                "KUBERNETES_SERVICE_PORT", "443")).build();
        assertEquals("docker-api-tcp", match(rules, "172.18.0.2", "docker", 2999));
        assertNull(match(rules, "172.18.0.2", "docker", 3000));
        assertNull(match(rules, "172.18.0.2", null, 2999), "a name endpoint needs the name");
        assertEquals("docker-api-tcp", match(rules, "fd00::7", null, 8888));
        assertEquals("kubernetes-api", match(rules, "10.96.0.1", null, 443));
        assertNull(match(rules, "10.96.0.1", null, 80));
        assertEquals(List.of("docker-api-tcp docker:2999 (DOCKER_HOST)", "docker-api-tcp [fd00::7]:8888 (CONTAINER_HOST)",
                "kubernetes-api 10.96.0.1:443 (KUBERNETES_SERVICE_HOST/PORT)"), DefaultNetworkRules.fromEnvironment(Map.of(
                "DOCKER_HOST", "tcp://docker:2999", "CONTAINER_HOST", "tcp://[fd00::7]:8888/v4.0",
                "KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443")));
        assertNull(DefaultNetworkRules.tcpEndpoint("unix:///var/run/docker.sock"));
        assertNull(DefaultNetworkRules.tcpEndpoint("ssh://me@host"));
        assertEquals("127.0.0.1:2375", DefaultNetworkRules.tcpEndpoint("tcp://127.0.0.1:2375").text());
        assertEquals("fd00::1", DefaultNetworkRules.kubernetesService("fd00::1", null).text().replace("[", "")
                .replace("]", ""));
    }

    @Test
    void cidrsOfBothFamilies() {
        Rule mine = new Rule("mine", "custom", java.util.Set.of(FileAccess.CONNECT), "d", "s");
        NetworkRules rules = NetworkRules.builder()
                .endpoint(mine, "10.0.0.0/8:6443")
                .endpoint(mine, "192.168.1.128/25")
                .endpoint(mine, "[fd00::/8]:443")
                .endpoint(mine, "2001:db8:abcd:12::/63")
                .endpoint(mine, "0.0.0.0/0:9999")
                .endpoint(mine, "::ffff:203.0.113.7")
                .build();
        assertEquals("mine", match(rules, "10.255.1.2", null, 6443));
        assertNull(match(rules, "11.0.0.1", null, 6443));
        assertNull(match(rules, "10.0.0.1", null, 6444));
        assertEquals("mine", match(rules, "192.168.1.200", null, 1));
        assertNull(match(rules, "192.168.1.127", null, 1));
        assertEquals("mine", match(rules, "fdff:1::1", null, 443));
        assertNull(match(rules, "fe00::1", null, 443));
        assertEquals("mine", match(rules, "2001:db8:abcd:13:ffff::1", null, 5));
        assertNull(match(rules, "2001:db8:abcd:14::1", null, 5));
        assertEquals("mine", match(rules, "8.8.8.8", null, 9999), "0.0.0.0/0 is every IPv4 address");
        assertNull(match(rules, "::2", null, 9999), "but no IPv6 one");
        assertEquals("mine", match(rules, "203.0.113.7", null, 80), "an IPv4-mapped address is IPv4, as Java connects it");
    }

    @Test
    void portsAndRanges() {
        Rule mine = new Rule("mine", "custom", java.util.Set.of(FileAccess.CONNECT), "d", "s");
        NetworkRules rules = NetworkRules.builder().endpoint(mine, "*:7000-7002").endpoint(mine, ":8000")
                .endpoint(mine, "9000").endpoint(mine, "10.0.0.1:*").build();
        for (int port : new int[] {7000, 7001, 7002, 8000, 9000}) {
            assertEquals("mine", match(rules, "1.2.3.4", null, port), "port " + port);
        }
        for (int port : new int[] {6999, 7003, 8001, 9001}) {
            assertNull(match(rules, "1.2.3.4", null, port), "port " + port);
        }
        assertEquals("mine", match(rules, "10.0.0.1", null, 12345));
        assertTrue(rules.coversPort(12345), "an endpoint of every port covers every port");
    }

    @Test
    void namesMatchWithoutCaseAndByWildcard() {
        assertTrue(Endpoint.nameMatches("metadata.google.internal", "METADATA.google.internal"));
        assertTrue(Endpoint.nameMatches("metadata.google.internal", "metadata.google.internal."));
        assertFalse(Endpoint.nameMatches("metadata.google.internal", "metadata.google.internal.."));
        assertTrue(Endpoint.nameMatches("*.svc.cluster.local", "api.ns.svc.cluster.local"));
        assertFalse(Endpoint.nameMatches("*.svc.cluster.local", "svc.cluster.local"));
        assertFalse(Endpoint.nameMatches("*.svc.cluster.local", "xsvc.cluster.local"));
        assertTrue(Endpoint.nameMatches("kubernetes.default.svc.*", "kubernetes.default.svc.cluster.local"));
        assertFalse(Endpoint.nameMatches("kubernetes.default.svc.*", "kubernetes.default.svc"));
        assertFalse(Endpoint.nameMatches("kubernetes.default.svc.*", "kubernetes.default.svcx.local"));
    }

    @Test
    void badEndpointsSayWhatIsWrong() {
        assertBad("", "an empty endpoint");
        assertBad("*", "any host on any port");
        assertBad("*:*", "any host on any port");
        assertBad("10.0.0.0/33", "an IPv4 prefix is at most 32");
        assertBad("[fd00::/129]", "an IPv6 prefix is at most 128");
        assertBad("10.0.0.1:0", "port 0 out of range");
        assertBad("10.0.0.1:70000", "port 70000 out of range");
        assertBad("10.0.0.1:123456", "bad port '123456'");
        assertBad("10.0.0.1:2377-2375", "ends before it starts");
        assertBad("fd00::zz", "is not an IPv6 address");
        assertBad("[fd00::1", "'[' without ']'");
        assertBad("[host]:80", "brackets are for IPv6 addresses");
        assertBad("bad_*name.example", "bad host name");
        assertBad("host.example/24", "cannot have a prefix length");
        assertBad("fe80::1%eth0", "scoped IPv6");
        assertBad("a..b", "bad host name");
    }

    private static void assertBad(String endpoint, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Endpoint.parse(endpoint));
        assertTrue(e.getMessage().contains(expected), () -> endpoint + ": " + e.getMessage());
    }

    @Test
    void switchedOffRulesMatchNothing() {
        NetworkRules rules = NetworkRules.builder().addDefaults(Map.of()).disable(List.of("cloud-metadata")).build();
        assertNull(match(rules, "169.254.169.254", null, 80));
        assertEquals("docker-api-tcp", match(rules, "10.0.0.1", null, 2375));
        assertTrue(NetworkRules.builder().addDefaults(Map.of()).disable(List.of("docker-api-tcp", "kubelet-api",
                "etcd", "kubernetes-api", "cloud-metadata")).build().isEmpty());
    }

    @Test
    void aConnectAndTheUseOfItsConnectionNameTheDestination() {
        Operation metadata = Operation.networkConnect(FileAccess.CONNECT, "169.254.169.254", 80,
                "metadata.google.internal", DefaultNetworkRules.CLOUD_METADATA);
        assertFalse(metadata.connectionUse());
        assertEquals("169.254.169.254:80", metadata.target());
        assertEquals("metadata.google.internal:80", metadata.originalTarget());
        assertEquals("169.254.169.254", metadata.destinationAddress());
        assertEquals(80, metadata.destinationPort());
        assertEquals("metadata.google.internal", metadata.destinationDomain());
        assertEquals("[fd00:ec2:0:0:0:0:0:254]:80", Operation.networkConnect(FileAccess.CONNECT,
                "fd00:ec2:0:0:0:0:0:254", 80, null, DefaultNetworkRules.CLOUD_METADATA).target());
        Operation write = Operation.networkConnect(FileAccess.WRITE, "127.0.0.1", 2375, null,
                DefaultNetworkRules.DOCKER_API_TCP);
        assertTrue(write.connectionUse());
        assertEquals("127.0.0.1:2375", write.target());
        assertEquals(2375, write.destinationPort());
    }
}

package dev.hostguard.agent.cli.learn;

import static dev.hostguard.agent.cli.TestEvents.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.cli.TestEvents;
import dev.hostguard.agent.config.PolicyParser;
import dev.hostguard.agent.policy.AuthClass;
import dev.hostguard.agent.policy.Endpoint;
import dev.hostguard.agent.policy.FileAccess;
import dev.hostguard.agent.policy.Mode;
import dev.hostguard.agent.policy.Operation;
import dev.hostguard.agent.policy.PolicyEngine;
import dev.hostguard.agent.policy.Rule;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code learn} on network-connect events: an endpoint entry per route, by name when the caller used one. */
class LearnNetworkTest {
    @TempDir
    Path dir;

    @Test
    void networkFindingsBecomeEndpointEntriesThePolicyReadsBack() throws Exception {
        Path events = TestEvents.write(dir.resolve("events.jsonl"),
                TestEvents.of("network-connect", "logged", "cloud-metadata", "2026-12-07T10:00:00Z")
                        .route("GET", "/credentials/refresh").destination("169.254.169.254", 80, null).json(),
                TestEvents.of("network-connect", "logged", "docker-api-tcp", "2026-12-07T10:00:01Z")
                        .route("POST", "/builds").destination("172.18.0.2", 2376, "docker").json(),
                TestEvents.of("network-connect", "logged", "cloud-metadata", "2026-12-07T10:00:02Z")
                        .route("GET", "/v6").destination("fd00:ec2:0:0:0:0:0:254", 80, null).json());
        TestEvents.Run run = cli("learn", events.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("  - operation: network-connect\n    endpoint: \"169.254.169.254:80\"\n"
                + "    route: \"GET /credentials/refresh\"\n"), run.out());
        assertTrue(run.out().contains("    endpoint: \"docker:2376\"\n    route: \"POST /builds\"\n"), run.out());
        assertTrue(run.out().contains("    endpoint: \"[fd00:ec2:0:0:0:0:0:254]:80\"\n"), run.out());

        PolicyEngine engine = new PolicyEngine(PolicyParser.parse(run.out(), "learned.yaml"), Mode.BLOCK, List.of(),
                Map.of());
        assertEquals("allowed", decide(engine, "169.254.169.254", null, 80, "GET", "/credentials/refresh"));
        assertEquals("blocked", decide(engine, "169.254.169.254", null, 80, "GET", "/other"), "another route");
        assertEquals("blocked", decide(engine, "169.254.169.254", null, 443, "GET", "/credentials/refresh"),
                "another port");
        assertEquals("allowed", decide(engine, "172.18.0.9", "docker", 2376, "POST", "/builds"),
                "by name: the address may change");
        assertEquals("blocked", decide(engine, "172.18.0.9", null, 2376, "POST", "/builds"), "not by address");
        assertEquals("allowed", decide(engine, "fd00:ec2::254", null, 80, "GET", "/v6"));
    }

    private static String decide(PolicyEngine engine, String address, String name, int port, String method,
                                 String path) {
        InetAddress a = Endpoint.literal(address);
        boolean v6 = a instanceof java.net.Inet6Address;
        Rule rule = engine.networkRules().match(v6, v6 ? 0 : a.hashCode(), v6 ? a.getAddress() : null, name, port);
        return engine.decide(Operation.networkConnect(FileAccess.CONNECT, a.getHostAddress(), port, name, rule), AuthClass.API_KEY,
                method, path).eventDecision();
    }
}

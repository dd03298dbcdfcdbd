package dev.hostguard.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.AllocationMeter;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link NetworkRules#match} runs on every TCP connect inside a guarded request: when nothing matches it must
 * allocate nothing, also with names, IPv6 networks and every-port endpoints in the rules (which defeat the port
 * test and make every endpoint be looked at). Bound and method as {@link PathRulesAllocationTest}.
 */
class NetworkRulesAllocationTest {
    private static final byte[] V6 = Endpoint.literal("2001:db8::10").getAddress();
    private static final int V4_DB = 0x0a000005; // 10.0.0.5
    private static final int V4_LOOPBACK = 0x7f000001;
    private static final int[] PORTS = {5432, 443, 80, 6379, 8080, 2375};
    private static final String[] NAMES = {"db.internal", null, "api.example.com", "localhost", "cache.svc.cluster.local",
        null};

    private int matched;

    @Test
    void aConnectThatMatchesNothingAllocatesNothing() throws Exception {
        Rule mine = new Rule("mine", "custom", Set.of(FileAccess.CONNECT), "d", "s");
        NetworkRules rules = NetworkRules.builder().addDefaults(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1",
                        "KUBERNETES_SERVICE_PORT", "443", "DOCKER_HOST", "tcp://docker:2376"))
                .endpoint(mine, "[fd00::/8]").endpoint(mine, "*.evil.example").endpoint(mine, "192.0.2.0/24").build();
        double perCall = AllocationMeter.require().bytesPerCall(calls -> {
            for (int i = 0; i < calls; i++) {
                int k = i % PORTS.length;
                boolean v6 = (i & 1) == 0;
                Rule rule = rules.match(v6, (i & 2) == 0 ? V4_DB : V4_LOOPBACK, V6, NAMES[k],
                        PORTS[k] == 2375 ? 2374 : PORTS[k]);
                matched += rule == null ? 0 : 1;
            }
        });
        assertEquals(0, matched, "these connects match no rule");
        assertTrue(perCall < AllocationMeter.ZERO_BYTES_PER_CALL, () -> perCall + " bytes per call");
    }
}

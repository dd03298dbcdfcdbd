package dev.hostguard.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyEngineTest {
    private static final Operation DOCKER_PS = Operation.processStart(new String[] {"docker", "ps"}, "/srv");

    @ParameterizedTest
    @CsvSource({
        "AUDIT, API_KEY, LOG", "AUDIT, NONE, LOG", "AUDIT, USER, ALLOW", "AUDIT, MTLS, ALLOW",
        "BLOCK, API_KEY, BLOCK", "BLOCK, NONE, BLOCK", "BLOCK, USER, ALLOW", "BLOCK, MTLS, ALLOW"})
    void processStartsAreFindingsOnlyForApiKeyAndAnonymousRequests(Mode mode, AuthClass auth,
                                                                   Decision.Verdict expected) {
        Decision decision = new PolicyEngine(mode).decide(DOCKER_PS, auth);
        assertEquals(expected, decision.verdict());
        assertEquals(expected == Decision.Verdict.ALLOW ? null : "process-start", decision.rule());
    }

    @org.junit.jupiter.api.Test
    void fileOperationsAreFindingsOnlyWhenTheyMatchedARule() {
        Rule credentials = new Rule("credentials", "credentials", java.util.Set.of(FileAccess.READ), "d", "s");
        dev.hostguard.agent.path.ResolvedPath shadow =
                new dev.hostguard.agent.path.ResolvedPath("../etc/shadow", "/etc/shadow", "/etc/shadow");
        PolicyEngine block = new PolicyEngine(Mode.BLOCK);
        Decision decision = block.decide(Operation.file(FileAccess.READ, shadow, credentials), AuthClass.API_KEY);
        assertEquals(Decision.Verdict.BLOCK, decision.verdict());
        assertEquals("credentials", decision.rule());
        assertEquals(Decision.ALLOW, block.decide(Operation.file(FileAccess.READ, shadow, null), AuthClass.NONE));
        assertEquals(Decision.ALLOW, block.decide(Operation.file(FileAccess.READ, shadow, credentials), AuthClass.USER));
    }

    @org.junit.jupiter.api.Test
    void aFileOperationKeepsThePathAsGivenWhenItDiffers() {
        Operation op = Operation.file(FileAccess.LIST,
                new dev.hostguard.agent.path.ResolvedPath("/proc/self/..", "/proc", "/proc"), null);
        assertEquals(Action.DIRECTORY_LIST, op.action());
        assertEquals("/proc", op.target());
        assertEquals("/proc/self/..", op.originalTarget());
        Operation same = Operation.file(FileAccess.READ,
                new dev.hostguard.agent.path.ResolvedPath("/etc/shadow", "/etc/shadow", "/etc/shadow"), null);
        assertEquals(null, same.originalTarget());
    }

    @org.junit.jupiter.api.Test
    void offHasNoPolicy() {
        assertThrows(IllegalArgumentException.class, () -> new PolicyEngine(Mode.OFF));
    }

    @org.junit.jupiter.api.Test
    void anOperationNamesItsExecutable() {
        assertEquals("docker", DOCKER_PS.target());
        assertEquals(java.util.List.of("docker", "ps"), DOCKER_PS.arguments());
    }
}

package dev.hostguard.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.policy.Mode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentOptionsTest {
    @TempDir
    Path dir;

    private static AgentOptions resolve(String argument, Map<String, String> properties, Map<String, String> env)
            throws InvalidOptionException {
        return AgentOptions.resolve(argument, properties, env);
    }

    @Test
    void defaultsAreAuditToStdout() throws Exception {
        AgentOptions options = resolve(null, Map.of("user.dir", "/x"), Map.of("PATH", "/bin"));
        assertEquals(Mode.AUDIT, options.mode());
        assertEquals(EventTarget.STDOUT, options.events());
    }

    @Test
    void agentArgumentWinsOverSystemPropertyOverEnvironment() throws Exception {
        Map<String, String> env = Map.of("HOSTGUARD_MODE", "off", "HOSTGUARD_EVENTS", "stderr");
        assertEquals(Mode.OFF, resolve("", Map.of(), env).mode());
        assertEquals(Mode.AUDIT, resolve("", Map.of("hostguard.mode", "audit"), env).mode());
        AgentOptions options = resolve("mode=block", Map.of("hostguard.mode", "audit"), env);
        assertEquals(Mode.BLOCK, options.mode());
        assertEquals(EventTarget.STDERR, options.events());
    }

    @Test
    void eventsCanGoToAFileThatIsAppended() throws Exception {
        Path file = dir.resolve("events.jsonl");
        Files.writeString(file, "earlier\n");
        AgentOptions options = resolve("events=" + file, Map.of(), Map.of());
        assertEquals(file, options.events().file());
        assertEquals("earlier\n", Files.readString(file));
    }

    @Test
    void unknownKeysAreRefusedFromEverySource() {
        assertMessage("unknown option 'mdoe'", () -> resolve("mdoe=block", Map.of(), Map.of()));
        assertMessage("unknown option 'mdoe'", () -> resolve(null, Map.of("hostguard.mdoe", "block"), Map.of()));
        assertMessage("unknown option 'MDOE'", () -> resolve(null, Map.of(), Map.of("HOSTGUARD_MDOE", "block")));
        assertMessage("is not key=value", () -> resolve("block", Map.of(), Map.of()));
    }

    @Test
    void badValuesAreRefusedWithTheirSource() {
        assertMessage("bad value for option 'mode' (agent argument mode=blok); expected audit, block or off",
                () -> resolve("mode=blok", Map.of(), Map.of()));
        assertMessage("system property -Dhostguard.mode=nope",
                () -> resolve(null, Map.of("hostguard.mode", "nope"), Map.of()));
        assertMessage("environment HOSTGUARD_MODE=nope",
                () -> resolve(null, Map.of(), Map.of("HOSTGUARD_MODE", "nope")));
        assertMessage("bad value for option 'events'",
                () -> resolve("events=" + dir.resolve("missing/dir/events.jsonl"), Map.of(), Map.of()));
    }

    @Test
    void theRequestIdHeaderIsAnOptionCheckedAsAHeaderName() throws Exception {
        assertEquals("X-Request-Id", resolve(null, Map.of(), Map.of()).requestIdHeader());
        assertEquals("X-Correlation-Id",
                resolve(null, Map.of(), Map.of("HOSTGUARD_REQUEST_ID_HEADER", "X-Correlation-Id")).requestIdHeader());
        assertEquals("X-Amzn-Trace-Id", resolve("request-id-header=X-Amzn-Trace-Id", Map.of(), Map.of())
                .requestIdHeader());
        assertMessage("bad value for option 'request-id-header' (system property -Dhostguard.request-id-header=X Id);"
                        + " ' ' at position 2 is not allowed in an HTTP header name",
                () -> resolve(null, Map.of("hostguard.request-id-header", "X Id"), Map.of()));
    }

    @Test
    void explicitOptionsWinOverThePolicyFileAndTheOriginIsKept() throws Exception {
        Path events = dir.resolve("policy-events.jsonl");
        dev.hostguard.agent.policy.Policy policy = PolicyParser.parse(
                "mode: block\nevents: {sink: " + events + "}\n", "p.yaml");
        AgentOptions fromFile = resolve("policy=" + dir.resolve("p.yaml"), Map.of(), Map.of()).withPolicy(policy);
        assertEquals(Mode.BLOCK, fromFile.mode());
        assertEquals("policy file", fromFile.modeOrigin());
        assertEquals(events, fromFile.events().file());
        assertEquals("policy file", fromFile.eventsOrigin());
        assertEquals(dir.resolve("p.yaml"), fromFile.policy());
        assertTrue(!fromFile.modeExplicit());

        AgentOptions explicit = resolve("policy=p.yaml", Map.of("hostguard.mode", "audit"),
                Map.of("HOSTGUARD_EVENTS", "stderr")).withPolicy(policy);
        assertEquals(Mode.AUDIT, explicit.mode());
        assertEquals("-Dhostguard.mode", explicit.modeOrigin());
        assertTrue(explicit.modeExplicit());
        assertEquals(EventTarget.STDERR, explicit.events());
        assertEquals("HOSTGUARD_EVENTS", explicit.eventsOrigin());

        AgentOptions none = resolve("", Map.of(), Map.of()).withPolicy(dev.hostguard.agent.policy.Policy.DEFAULT);
        assertEquals(Mode.AUDIT, none.mode());
        assertEquals("default", none.modeOrigin());
        assertMessage("bad value for option 'policy'", () -> resolve("policy=", Map.of(), Map.of()));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable resolve) {
        InvalidOptionException e = assertThrows(InvalidOptionException.class, resolve);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}

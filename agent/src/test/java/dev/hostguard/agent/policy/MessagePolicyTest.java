package dev.hostguard.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.config.PolicyParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code message} class: logged by default in both modes, refused where a policy says {@code message: block}. */
class MessagePolicyTest {
    private static final Operation DOCKER_PS = Operation.processStart(new String[] {"docker", "ps"}, "/srv");

    private static PolicyEngine engine(String yaml, Mode mode) throws Exception {
        return new PolicyEngine(PolicyParser.parse("version: 1\n" + yaml, "p.yaml"), mode, List.of());
    }

    @Test
    void aMessagesFindingsAreLoggedByDefaultEvenInBlockMode() {
        assertEquals(Decision.Verdict.LOG, Policy.DEFAULT.auth().get(AuthClass.MESSAGE));
        for (Mode mode : new Mode[] {Mode.AUDIT, Mode.BLOCK}) {
            PolicyEngine engine = new PolicyEngine(mode);
            assertTrue(engine.guards(AuthClass.MESSAGE, null));
            Decision decision = engine.decide(DOCKER_PS, AuthClass.MESSAGE);
            assertEquals(Decision.Verdict.LOG, decision.verdict());
            assertEquals("process-start", decision.rule());
        }
    }

    @Test
    void aPolicyBlocksOrAllowsThemByTheirClass() throws Exception {
        assertEquals(Decision.Verdict.BLOCK, engine("auth: {message: block}\n", Mode.BLOCK)
                .decide(DOCKER_PS, AuthClass.MESSAGE).verdict());
        assertEquals(Decision.Verdict.LOG, engine("auth: {message: block}\n", Mode.AUDIT)
                .decide(DOCKER_PS, AuthClass.MESSAGE).verdict());
        PolicyEngine allowed = engine("auth: {message: allow}\n", Mode.BLOCK);
        assertEquals(false, allowed.guards(AuthClass.MESSAGE, null));
        assertEquals(Decision.Verdict.ALLOW, allowed.decide(DOCKER_PS, AuthClass.MESSAGE).verdict());
    }

    @Test
    void anAllowEntryNarrowedToTheClassAndTheDestinationLetsTheHandlerRun() throws Exception {
        PolicyEngine engine = engine("""
                auth: {message: block}
                allow:
                  - operation: process-start
                    executable: docker
                    route: "/orders.*"
                    auth: [message]
                    reason: the orders consumer lists containers
                """, Mode.BLOCK);
        assertEquals(Decision.Verdict.ALLOW,
                engine.decide(DOCKER_PS, AuthClass.MESSAGE, null, null, "/orders.in").verdict());
        assertEquals(Decision.Verdict.BLOCK,
                engine.decide(DOCKER_PS, AuthClass.MESSAGE, null, null, "/billing").verdict());
        assertEquals(Decision.Verdict.BLOCK,
                engine.decide(DOCKER_PS, AuthClass.NONE, null, "POST", "/orders.in").verdict());
    }
}

package dev.hostguard.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.config.PolicyParser;
import dev.hostguard.agent.config.InvalidPolicyException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code native-code} rule (issue 13): decided as every rule, switched and allowed from a policy file. */
class NativeCodeRuleTest {
    private static final String LIBRARY = "/usr/lib/jvm/java-17-openjdk-amd64/lib/librmi.so";

    private static PolicyEngine engine(String yaml, Mode mode) throws Exception {
        return new PolicyEngine(PolicyParser.parse(yaml, "p.yaml"), mode, List.of());
    }

    private static Operation load(PolicyEngine engine, String api, String library) {
        return NativeCode.load(api, library, engine.nativeCodeRule());
    }

    @Test
    void theRuleIsKnownWithItsIdCategoryAndSource() {
        Rule rule = NativeCode.RULE;
        assertEquals("native-code", rule.id());
        assertTrue(PolicyEngine.knownRules().contains(rule));
        assertFalse(rule.description().isBlank() || rule.source().isBlank() || rule.category().isBlank());
        assertSame(rule, new PolicyEngine(Mode.AUDIT).nativeCodeRule());
    }

    @Test
    void aGuardedRequestsNativeCodeIsRefusedInBlockAndLoggedInAudit() {
        for (String api : List.of(NativeCode.JNI, NativeCode.JNA, NativeCode.FFM_LIBRARY_LOOKUP)) {
            Operation op = NativeCode.load(api, LIBRARY, NativeCode.RULE);
            assertEquals(Action.NATIVE_LOAD, op.action());
            assertEquals("native-load", op.action().eventAction());
            assertEquals(api, NativeCode.api(op));
            assertEquals(LIBRARY, op.target());
            for (AuthClass guarded : List.of(AuthClass.API_KEY, AuthClass.NONE)) {
                Decision blocked = new PolicyEngine(Mode.BLOCK).decide(op, guarded);
                assertTrue(blocked.blocked(), api + " " + guarded);
                assertEquals("native-code", blocked.rule());
                assertEquals("logged", new PolicyEngine(Mode.AUDIT).decide(op, guarded).eventDecision());
            }
            assertTrue(new PolicyEngine(Mode.BLOCK).decide(op, AuthClass.USER).allowed(), "a person's request");
            assertTrue(new PolicyEngine(Mode.BLOCK).decide(op, AuthClass.MTLS).allowed());
            assertEquals("logged", new PolicyEngine(Mode.BLOCK).decide(op, null).eventDecision(),
                    "outside requests, by default: logged, never refused");
        }
        Operation downcall = NativeCode.downcall("function (a8i4)i4 at 0x7f00", NativeCode.RULE);
        assertEquals("native-downcall", downcall.action().eventAction());
        assertEquals(NativeCode.FFM_DOWNCALL, NativeCode.api(downcall));
        assertTrue(new PolicyEngine(Mode.BLOCK).decide(downcall, AuthClass.API_KEY).blocked());
        assertNull(NativeCode.api(Operation.processStart(new String[] {"ls"}, "/")));
    }

    @Test
    void aPolicyCanSwitchTheRuleOffOrDownToLog() throws Exception {
        assertNull(engine("rules:\n  - id: native-code\n    action: off\n", Mode.BLOCK).nativeCodeRule());
        PolicyEngine logOnly = engine("rules:\n  - id: native-code\n    action: log\n", Mode.BLOCK);
        assertEquals("logged", logOnly.decide(load(logOnly, "jni", LIBRARY), AuthClass.API_KEY).eventDecision());
        PolicyEngine byCategory = engine("rules:\n  - category: native code\n    action: log\n", Mode.BLOCK);
        assertEquals("logged", byCategory.decide(load(byCategory, "jna", "c"), AuthClass.NONE).eventDecision());
    }

    @Test
    void anAllowEntryLetsOneLibraryGoOnOneRoute() throws Exception {
        PolicyEngine engine = engine("""
                mode: block
                allow:
                  - operation: native-load
                    path: "/opt/app/lib/libsqlitejdbc*.so"
                    route: "GET /report"
                    reason: sqlite-jdbc loads its library on the first connection
                  - operation: native-load
                    path: c
                    auth: [api-key]
                    reason: the app calls getpid through JNA
                  - operation: native-downcall
                    path: "function ()i4 *"
                    reason: getpid through FFM
                """, Mode.BLOCK);
        Operation sqlite = load(engine, "jni", "/opt/app/lib/libsqlitejdbc-3.45.so");
        Decision allowed = engine.decide(sqlite, AuthClass.API_KEY, "GET", "/report");
        assertEquals("allowed", allowed.eventDecision());
        assertEquals(1, allowed.allowedBy().index());
        assertTrue(engine.decide(sqlite, AuthClass.API_KEY, "GET", "/other").blocked(), "another route");
        assertTrue(engine.decide(load(engine, "jni", "/tmp/evil.so"), AuthClass.API_KEY, "GET", "/report").blocked());
        assertEquals("allowed", engine.decide(load(engine, "jna", "c"), AuthClass.API_KEY).eventDecision());
        assertTrue(engine.decide(load(engine, "jna", "c"), AuthClass.NONE).blocked(), "another auth class");
        assertEquals("allowed", engine.decide(NativeCode.downcall("function ()i4 at 0x7f01", engine.nativeCodeRule()),
                AuthClass.NONE).eventDecision());
        assertTrue(engine.decide(NativeCode.downcall("function (a8)i4 at 0x7f01", engine.nativeCodeRule()),
                AuthClass.NONE).blocked());
    }

    @Test
    void aNativeEntryNeedsAPathAndTakesNoAccessOrExecutable() {
        InvalidPolicyException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidPolicyException.class,
                () -> PolicyParser.parse("""
                        allow:
                          - operation: native-load
                            access: [read]
                            reason: x
                          - operation: native-lod
                            path: c
                            reason: x
                        """, "p.yaml"));
        String message = e.getMessage();
        assertTrue(message.contains("needs a 'path'"), message);
        assertTrue(message.contains("'access'"), message);
        assertTrue(message.contains("did you mean 'native-load'"), message);
    }
}

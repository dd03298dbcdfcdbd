package dev.hostguard.agent;

import static dev.hostguard.agent.GuardedRequests.inRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostguard.agent.bootstrap.Hooks;
import dev.hostguard.attack.Attempts;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Self-protection (issue 14) with the real agent attached to this JVM in block mode: reflection into HostGuard's
 * classes (setAccessible, trySetAccessible, the array form, a private lookup), {@code sun.misc.Unsafe} offsets of its
 * fields and facade methods called out of turn are refused, each with a {@code tamper} event, and inside an API-key
 * request the request is refused too; judging goes on. A user's request is not refused (the attempt is), a class's
 * reflection into itself works. What reflection cannot do, an {@code Unsafe} write at an offset found elsewhere can
 * (simulated here by HostGuard's own reflection, which is allowed): the self-check finds it and puts it back within
 * its period, and hooks a second transformer took out of {@code ProcessImpl} are woven again. JDK 17 and 25.
 */
class SelfProtectionInProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BLOCKED = "dev.hostguard.agent.bootstrap.HostGuardBlockedException";

    @TempDir
    static Path dir;
    private static Path events;
    private static Instrumentation instrumentation;

    @BeforeAll
    static void attach() throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "events:\n  rate-limit: 1000000/s\n");
        events = dir.resolve("events.jsonl");
        instrumentation = ByteBuddyAgent.install();
        AgentMain.agentmain("mode=block,policy=" + policy + ",events=" + events, instrumentation);
        inRequest(true, () -> { }); // the first request served: the self-check starts
    }

    private static List<JsonNode> tamperEvents() throws IOException {
        List<JsonNode> found = new ArrayList<>();
        for (String line : Files.readAllLines(events)) {
            JsonNode event = JSON.readTree(line);
            if ("tamper".equals(event.at("/event/action").asText())) {
                found.add(event);
            }
        }
        return found;
    }

    /** The one tamper event written since {@code before} that {@code matches}. */
    private static JsonNode tamperSince(int before, String what, Predicate<JsonNode> matches) throws IOException {
        List<JsonNode> all = tamperEvents();
        List<JsonNode> found = all.subList(before, all.size()).stream().filter(matches).toList();
        assertEquals(1, found.size(), what + ": " + all.subList(before, all.size()));
        return found.get(0);
    }

    private static Predicate<JsonNode> family(String family, String target) {
        return e -> family.equals(e.at("/hostguard/tamper/family").asText())
                && e.at("/hostguard/tamper/target").asText().startsWith(target);
    }

    private static String ruleOf(Throwable failure) throws Exception {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getClass().getName().equals(BLOCKED)) {
                return (String) t.getClass().getMethod("rule").invoke(t);
            }
        }
        throw new AssertionError("not a HostGuard refusal", failure);
    }

    /** A process start in an API-key request is refused: judging is on. */
    private static void processStartStillRefused(Path marker) throws Exception {
        inRequest(false, () -> assertEquals("process-start", ruleOf(assertThrows(IOException.class,
                () -> new ProcessBuilder("touch", marker.toString()).start().waitFor()))));
        assertFalse(Files.exists(marker), "the process never ran");
    }

    @Test
    void reflectionIntoTheFacadeIsRefusedWithAnEventAndTheRequestRefused() throws Exception {
        int before = tamperEvents().size();
        Path marker = dir.resolve("after-set-accessible");
        inRequest(false, () -> {
            InaccessibleObjectException refused = assertThrows(InaccessibleObjectException.class,
                    Attempts::setAccessibleHandler);
            assertEquals("self-protection", ruleOf(refused));
            assertThrows(InaccessibleObjectException.class, Attempts::setAccessibleArrayScope);
            assertFalse(Attempts.trySetAccessibleGuardPolicy(), "trySetAccessible answers false");
            assertThrows(IllegalAccessException.class, Attempts::privateLookup);
            assertThrows(IOException.class, () -> new ProcessBuilder("touch", marker.toString()).start().waitFor());
        });
        assertFalse(Files.exists(marker));
        JsonNode setAccessible = tamperSince(before, "setAccessible on Hooks.handler",
                family("set-accessible", "dev.hostguard.agent.bootstrap.Hooks")
                        .and(e -> e.at("/hostguard/tamper/detail").asText().contains("dev.hostguard.attack.Attempts"))
                        .and(e -> e.toString().contains("setAccessibleHandler")));
        assertEquals("blocked", setAccessible.at("/hostguard/decision").asText());
        assertEquals("api-key", setAccessible.at("/hostguard/auth").asText());
        assertEquals("alert", setAccessible.at("/event/kind").asText());
        assertNotNull(setAccessible.at("/url/path").textValue());
        tamperSince(before, "trySetAccessible on Guard.active", family("set-accessible", "dev.hostguard.agent.Guard"));
        tamperSince(before, "privateLookupIn", family("private-lookup", "dev.hostguard.agent.bootstrap.Hooks"));
        processStartStillRefused(dir.resolve("later"));
    }

    /** What --add-opens java.base/java.lang would allow: HostGuard refuses it inside a request, before the JDK. */
    @Test
    void aThreadsThreadLocalsAreRefusedInsideARequest() throws Exception {
        int before = tamperEvents().size();
        inRequest(false, () -> assertEquals("self-protection", ruleOf(assertThrows(
                InaccessibleObjectException.class, Attempts::threadsInheritableThreadLocals))));
        tamperSince(before, "Thread.inheritableThreadLocals", family("set-accessible",
                "java.lang.Thread.inheritableThreadLocals"));
        InaccessibleObjectException jdks = assertThrows(InaccessibleObjectException.class,
                Attempts::threadsInheritableThreadLocals);
        assertEquals(null, jdks.getCause(), "outside requests the JDK's own refusal: " + jdks);
        assertEquals(before + 1, tamperEvents().size());
    }

    @Test
    void unsafeOffsetsOfHostGuardsFieldsAreRefused() throws Exception {
        int before = tamperEvents().size();
        inRequest(false, () -> {
            assertThrows(UnsupportedOperationException.class, Attempts::unsafeStaticOffset);
            assertThrows(UnsupportedOperationException.class, Attempts::unsafeStaticBase);
            assertThrows(UnsupportedOperationException.class, Attempts::unsafeObjectOffset);
        });
        tamperSince(before, "staticFieldOffset", family("unsafe-offset", "dev.hostguard.agent.bootstrap.Hooks.handler")
                .and(e -> e.at("/hostguard/tamper/detail").asText().endsWith("staticFieldOffset")));
        tamperSince(before, "objectFieldOffset", family("unsafe-offset",
                "dev.hostguard.agent.bootstrap.RequestScope.busy"));
        processStartStillRefused(dir.resolve("after-unsafe"));
    }

    @Test
    void facadeMethodsOutOfTurnChangeNothing() throws Exception {
        int before = tamperEvents().size();
        inRequest(false, Attempts::judgeOutsideRequestsOff);
        tamperSince(before, "judgeOutsideRequests", family("facade-call", "Hooks.judgeOutsideRequests"));
        assertThrows(IllegalStateException.class, () -> Hooks.install(null));
        Object other = java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {dev.hostguard.agent.bootstrap.HookHandler.class}, (proxy, method, args) -> null);
        assertFalse(Hooks.restore((dev.hostguard.agent.bootstrap.HookHandler) other, false, false),
                "only the installed handler restores");
        Object installed = installedGuard(); // typed Object: see installedGuard
        boolean escapes = ((Guard) installed).judgesOutsideEscapes(((Guard) installed).policyInForce());
        assertEquals(0, Hooks.integrity((dev.hostguard.agent.bootstrap.HookHandler) installed, false, escapes),
                "the facade as installed");
        processStartStillRefused(dir.resolve("after-facade"));
    }

    @Test
    void aUsersRequestGoesOnAndAClassReflectsIntoItself() throws Exception {
        int before = tamperEvents().size();
        inRequest(true, () -> {
            assertThrows(InaccessibleObjectException.class, Attempts::setAccessibleHandler);
            assertEquals("changed", Attempts.ownReflection());
        });
        JsonNode event = tamperSince(before, "a user's attempt", family("set-accessible",
                "dev.hostguard.agent.bootstrap.Hooks"));
        assertEquals("refused", event.at("/hostguard/decision").asText(), "the attempt, not the request");
        assertEquals(before + 1, tamperEvents().size(), "nothing for the class's reflection into itself");
    }

    /** Stands for an Unsafe write at an offset found without asking Unsafe: HostGuard's own reflection may. */
    @Test
    void theSelfCheckFindsAndPutsBackWhatAnUnsafeWriteChanged() throws Exception {
        Guard guard = (Guard) installedGuard();
        Field handler = Hooks.class.getDeclaredField("handler");
        handler.setAccessible(true); // HostGuard's own class: allowed
        Field active = Guard.class.getDeclaredField("active");
        active.setAccessible(true);
        int before = tamperEvents().size();
        long written = System.nanoTime();
        handler.set(null, null);
        active.set(guard, ActivePolicy.compile(dev.hostguard.agent.policy.Policy.DEFAULT,
                dev.hostguard.agent.policy.Mode.AUDIT, List.of(), null,
                dev.hostguard.agent.policy.HostGuardFiles.NONE));
        JsonNode handlerFound = awaitTamper(before, family("self-check", "Hooks.handler"));
        JsonNode policyFound = awaitTamper(before, family("self-check", "Guard.active"));
        long detectedMillis = (System.nanoTime() - written) / 1_000_000;
        assertTrue(detectedMillis < 2 * SelfCheck.PERIOD.toMillis() + 500, "found within the period: "
                + detectedMillis + " ms");
        assertEquals("detected", handlerFound.at("/hostguard/decision").asText());
        assertEquals("detected", policyFound.at("/hostguard/decision").asText());
        assertSame(guard, handler.get(null), "put back");
        processStartStillRefused(dir.resolve("after-self-check"));
    }

    /**
     * {@code Hooks.requestEnter} called by hand with a request object of the caller's making: inside an API-key
     * request (and never left) the request stays the server's (api-key), outside requests it is one with no login;
     * either way a process start is refused and a {@code tamper} event names the entry; the thread's next request is
     * a request of its own, not nested in the forged one.
     */
    @Test
    void aRequestEnteredByHandChangesNothing() throws Exception {
        int before = tamperEvents().size();
        Path inside = dir.resolve("forged-inside");
        inRequest(false, () -> {
            Hooks.requestEnter(new Object(), null); // never left
            assertEquals("process-start", ruleOf(assertThrows(IOException.class,
                    () -> new ProcessBuilder("touch", inside.toString()).start().waitFor())));
        });
        assertFalse(Files.exists(inside), "never ran");
        JsonNode event = tamperSince(before, "an entry by hand inside a request",
                family("facade-call", "Hooks.requestEnter"));
        assertEquals("blocked", event.at("/hostguard/decision").asText());
        assertEquals("api-key", event.at("/hostguard/auth").asText(), "still the server's request");

        before = tamperEvents().size();
        Path outside = dir.resolve("forged-outside");
        Object token = Hooks.requestEnter(new Object(), null);
        try {
            assertEquals("process-start", ruleOf(assertThrows(IOException.class,
                    () -> new ProcessBuilder("touch", outside.toString()).start().waitFor())));
        } finally {
            Hooks.requestExit(token, null);
        }
        assertFalse(Files.exists(outside), "never ran");
        event = tamperSince(before, "an entry by hand outside requests", family("facade-call", "Hooks.requestEnter"));
        assertEquals("none", event.at("/hostguard/auth").asText(), "a request with no login, never a person's");
        processStartStillRefused(dir.resolve("after-forged-entries"));
        inRequest(true, () -> new ProcessBuilder("true").start().waitFor()); // a user's request on this thread runs
    }

    /**
     * HostGuard's system properties changed inside a guarded request (one cleared, one put through the
     * {@code Properties} object, not {@code System.setProperty}): found by the self-check, put back, one
     * {@code tamper} event each; judging goes on.
     */
    @Test
    void hostGuardsSystemPropertiesChangedAreFoundAndPutBack() throws Exception {
        String active = System.getProperty(AgentMain.ACTIVE_PROPERTY);
        assertEquals("block", active);
        int before = tamperEvents().size();
        inRequest(false, () -> {
            System.clearProperty(AgentMain.ACTIVE_PROPERTY);
            System.getProperties().put("hostguard.mode", "off");
        });
        JsonNode cleared = awaitTamper(before, family("system-properties", AgentMain.ACTIVE_PROPERTY));
        JsonNode added = awaitTamper(before, family("system-properties", "hostguard.mode"));
        assertEquals("detected", cleared.at("/hostguard/decision").asText());
        assertEquals("detected", added.at("/hostguard/decision").asText());
        assertEquals(active, System.getProperty(AgentMain.ACTIVE_PROPERTY), "put back");
        assertNull(System.getProperty("hostguard.mode"), "taken out again");
        processStartStillRefused(dir.resolve("after-properties"));
    }

    /** A second agent's transformer that takes our advice out of ProcessImpl (once): woven again by the self-check. */
    @Test
    void hooksASecondTransformerTookOutAreWovenAgain() throws Exception {
        processStartStillRefused(dir.resolve("before-strip")); // a process started: the canary runs from now on
        byte[] original;
        try (InputStream in = Object.class.getResourceAsStream("/java/lang/ProcessImpl.class")) {
            original = in.readAllBytes();
        }
        ClassFileTransformer stripper = new ClassFileTransformer() {
            private boolean done;

            @Override
            public synchronized byte[] transform(Module module, ClassLoader loader, String className,
                                                 Class<?> redefined, ProtectionDomain domain, byte[] classFile) {
                if (done || !"java/lang/ProcessImpl".equals(className)) {
                    return null;
                }
                done = true;
                return original;
            }
        };
        int before = tamperEvents().size();
        instrumentation.addTransformer(stripper, true);
        try {
            instrumentation.retransformClasses(Class.forName("java.lang.ProcessImpl"));
        } finally {
            instrumentation.removeTransformer(stripper);
        }
        JsonNode found = awaitTamper(before, family("self-check", "hooks: ProcessImpl.start"));
        assertEquals("detected", found.at("/hostguard/decision").asText());
        Path marker = dir.resolve("after-rehook");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) { // woven again by the same check that reported it: the next start is judged
            try {
                processStartStillRefused(marker);
                break;
            } catch (AssertionError notYet) {
                Files.deleteIfExists(marker);
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.onSpinWait();
            }
        }
    }

    private static JsonNode awaitTamper(int before, Predicate<JsonNode> matches) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<JsonNode> all = tamperEvents();
            for (JsonNode e : all.subList(before, all.size())) {
                if (matches.test(e)) {
                    return e;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no such tamper event: " + tamperEvents());
    }

    /** An Object: a test method's signature naming an agent type would load it before the agent is attached. */
    /**
     * The handler installed, typed {@code Object}: passing a {@code Guard} where the facade takes a
     * {@code HookHandler} would make the verifier load {@code HookHandler} through the application loader before the
     * agent defines it in the boot loader (a loader constraint violation at the installation).
     */
    private static Object installedGuard() throws Exception {
        Field installed = Hooks.class.getDeclaredField("INSTALLED");
        installed.setAccessible(true);
        return ((Object[]) installed.get(null))[0];
    }
}

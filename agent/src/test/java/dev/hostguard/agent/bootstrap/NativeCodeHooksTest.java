package dev.hostguard.agent.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The facade's native-code hooks with a scripted handler (this test class runs in a JVM of its own): nothing is asked
 * outside requests or for the JDK's own libraries, and each API's refusal is the failure that API throws, caused by
 * the refusal, which the request's outermost exit swallows once the 403 went out.
 */
class NativeCodeHooksTest {
    static final Handler HANDLER = new Handler();

    @BeforeAll
    static void install() {
        Hooks.install(HANDLER);
    }

    @BeforeEach
    void reset() {
        HANDLER.judged.clear();
        HANDLER.answers = 0;
    }

    @AfterEach
    void leave() {
        Hooks.judgeOutsideRequests(HANDLER, false, false);
    }

    @Test
    void outsideRequestsNothingIsAsked() {
        Hooks.nativeLibraryLoad(NativeCodeHooksTest.class, "/blocked/libx.so");
        Hooks.nativeLibraryOpen("jna", "blocked");
        Hooks.ffmLibraryLookup("blocked");
        Hooks.ffmDowncall("blocked", "()i4");
        assertEquals(List.of(), HANDLER.judged);
    }

    @Test
    void theJdksOwnLibrariesAreNeverJudged() {
        Object token = Hooks.requestEnter("request", "response");
        try {
            Hooks.nativeLibraryLoad(null, "zip"); // the boot loader's NativeLibraries names no class
            Hooks.nativeLibraryLoad(String.class, "/blocked/libnet.so"); // boot loader
            Hooks.nativeLibraryLoad(java.sql.Connection.class, "/blocked/libx.so"); // platform loader (java.sql)
            assertEquals(List.of(), HANDLER.judged);
            Hooks.nativeLibraryLoad(NativeCodeHooksTest.class, "/app/libok.so");
            assertEquals(List.of("0 jni /app/libok.so null"), HANDLER.judged);
        } finally {
            Hooks.requestExit(token, null);
        }
    }

    @Test
    void eachApiFailsTheWayItFailsForALibraryItCannotUseCausedByTheRefusal() {
        Object token = Hooks.requestEnter("request", "response");
        UnsatisfiedLinkError jni = assertThrows(UnsatisfiedLinkError.class,
                () -> Hooks.nativeLibraryLoad(NativeCodeHooksTest.class, "/blocked/libx.so"));
        HostGuardBlockedException refusal = assertInstanceOf(HostGuardBlockedException.class, jni.getCause());
        assertEquals("native-code", refusal.rule());
        assertEquals(refusal.getMessage(), jni.getMessage());

        assertInstanceOf(HostGuardBlockedException.class,
                assertThrows(UnsatisfiedLinkError.class, () -> Hooks.nativeLibraryOpen("jna", "blocked")).getCause());
        assertInstanceOf(HostGuardBlockedException.class,
                assertThrows(IllegalArgumentException.class, () -> Hooks.ffmLibraryLookup("blocked")).getCause());
        assertInstanceOf(HostGuardBlockedException.class,
                assertThrows(IllegalCallerException.class, () -> Hooks.ffmDowncall("blocked", "()i4")).getCause());
        assertEquals(List.of("0 jni /blocked/libx.so null", "0 jna blocked null", "0 ffm-library-lookup blocked null",
                "1 ffm-downcall blocked ()i4"), HANDLER.judged);

        assertNull(Hooks.requestExit(token, jni), "answered with the 403: the error the refusal caused is swallowed");
        assertEquals(1, HANDLER.answers);
    }

    @Test
    void jnasProcessLookupAndAnUnboundDowncallAreJudgedToo() {
        Object token = Hooks.requestEnter("request", "response");
        try {
            Hooks.nativeLibraryOpen("jna", null);
            Hooks.ffmDowncall(null, "(a8)i4");
            assertEquals(List.of("0 jna <process> null", "1 ffm-downcall null (a8)i4"), HANDLER.judged);
        } finally {
            Hooks.requestExit(token, null);
        }
    }

    @Test
    void outsideRequestsAreJudgedWhenThePolicySaysSoAndOurBugsLetTheCodeGo() {
        Hooks.judgeOutsideRequests(HANDLER, true, false);
        assertThrows(UnsatisfiedLinkError.class, () -> Hooks.nativeLibraryOpen("jna", "blocked"));
        long failures = Hooks.failures();
        Hooks.ffmLibraryLookup("buggy");
        assertEquals(failures + 1, Hooks.failures(), "counted, and the lookup went ahead");
        assertTrue(HANDLER.judged.contains("0 ffm-library-lookup buggy null"));
    }

    @Test
    void theRefusalReachesTheRequestEvenWhenTheApplicationSwallowsTheError() {
        Object token = Hooks.requestEnter("request", "response");
        try {
            Hooks.nativeLibraryLoad(NativeCodeHooksTest.class, "/blocked/libfallback.so");
        } catch (UnsatisfiedLinkError e) {
            // a library with a pure-Java fallback
        }
        RuntimeException later = new IllegalStateException("later");
        assertSame(later, Hooks.requestExit(token, later), "not caused by the refusal: the application's own");
        assertEquals(1, HANDLER.answers, "the 403 still goes out for the refused load");
    }

    static final class Handler implements HookHandler {
        final List<String> judged = new ArrayList<>();
        int answers;

        @Override
        public void nativeCode(RequestScope scope, int operation, String api, Object target, Object detail)
                throws HostGuardBlockedException {
            judged.add(operation + " " + api + " " + target + " " + detail);
            String name = String.valueOf(target);
            if (name.startsWith("buggy")) {
                throw new IllegalStateException("a bug of ours");
            }
            if (name.startsWith("/blocked") || name.startsWith("blocked")) {
                throw new HostGuardBlockedException("blocked by HostGuard: native " + name, "native-code", "e-9");
            }
        }

        @Override
        public void processStart(RequestScope scope, String[] command, String directory) {
        }

        @Override
        public void fileAccess(RequestScope scope, int operation, int directoryFd, String path) {
        }

        @Override
        public Object capture(RequestScope scope) {
            return null;
        }

        @Override
        public boolean answerBlocked(RequestScope scope, HostGuardBlockedException blocked) {
            answers++;
            return true;
        }

        @Override
        public Object refusalAnswer(Object request, HostGuardBlockedException refusal) {
            return null;
        }

        @Override
        public void loginChecked(Object request, Object answer) {
        }

        @Override
        public void hookFailed(String site, Throwable failure) {
        }
    }
}

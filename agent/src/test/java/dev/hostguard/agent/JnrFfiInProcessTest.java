package dev.hostguard.agent;

import static dev.hostguard.agent.GuardedRequests.inRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.bootstrap.HostGuardBlockedException;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jnr-ffi, a native-access library with its own loader (jffi's {@code dlopen}, below {@code LibraryLoader.load}),
 * with the real agent attached in block mode: a library opened in an API-key request is refused as JNA's are
 * ({@code native-code}, an {@code UnsatisfiedLinkError} whose cause is the refusal, an event naming {@code jnr-ffi});
 * in a person's request and outside requests it opens and works. jnr-ffi itself (jffi's stub, a JNI load, and libc)
 * is loaded outside requests first, as a service's start-up does.
 */
class JnrFfiInProcessTest {
    @TempDir
    static Path dir;

    /** libc's {@code getpid}: what jnr-ffi is first used for, outside requests. */
    public interface LibC {
        int getpid();
    }

    /** libm's {@code cos}: a library jnr-ffi opens by name. */
    public interface LibM {
        double cos(double x);
    }

    @BeforeAll
    static void attach() throws Exception {
        AgentMain.agentmain("mode=block,events=" + dir.resolve("events.jsonl"), ByteBuddyAgent.install());
        assertEquals(ProcessHandle.current().pid(), LibraryLoader.create(LibC.class).load("c").getpid());
    }

    @Test
    void aLibraryOpenedInAnApiKeyRequestIsRefusedAndOpensElsewhere() throws Exception {
        inRequest(false, () -> {
            UnsatisfiedLinkError refused = assertThrows(UnsatisfiedLinkError.class,
                    () -> LibraryLoader.create(LibM.class).failImmediately().load("m"));
            Throwable cause = refused;
            while (cause != null && !(cause instanceof HostGuardBlockedException)) {
                cause = cause.getCause();
            }
            assertInstanceOf(HostGuardBlockedException.class, cause, () -> "not the refusal: " + refused);
            assertEquals("native-code", ((HostGuardBlockedException) cause).rule());
        });
        String events = Files.readString(dir.resolve("events.jsonl"));
        assertTrue(events.contains("\"native_api\":\"jnr-ffi\"") && events.contains("\"decision\":\"blocked\""),
                events);
        inRequest(true, () -> assertEquals(1.0, LibraryLoader.create(LibM.class).load("m").cos(0.0)));
        assertEquals(1.0, LibraryLoader.create(LibM.class).load("m").cos(0.0), "outside requests");
    }
}

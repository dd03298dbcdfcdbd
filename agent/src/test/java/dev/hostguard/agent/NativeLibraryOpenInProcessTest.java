package dev.hostguard.agent;

import static dev.hostguard.agent.GuardedRequests.inRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Provider;
import java.security.ProviderException;
import java.security.Security;
import javax.smartcardio.TerminalFactory;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native libraries the JDK opens outside {@code NativeLibraries} at a caller's choice, inside an API-key request:
 * SunPKCS11's module ({@code library=}), its NSS ({@code nssLibraryDirectory=}), javax.smartcardio's PC/SC library
 * ({@code sun.security.smartcardio.library}): refused as the {@code native-code} rule's loads, with an event; a
 * user's SunPKCS11 configuration goes as far as the (fake) library. The real agent attached to this JVM in block
 * mode; runs on JDK 17 and 25.
 */
class NativeLibraryOpenInProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BLOCKED = "dev.hostguard.agent.bootstrap.HostGuardBlockedException";

    @TempDir
    static Path dir;
    private static Path events;

    @BeforeAll
    static void attach() throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "rules: []\n");
        events = dir.resolve("events.jsonl");
        AgentMain.agentmain("mode=block,policy=" + policy + ",events=" + events, ByteBuddyAgent.install());
    }

    /** The refusal in {@code failure}'s causes, or {@code null}. */
    private static Throwable refusalIn(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getClass().getName().equals(BLOCKED)) {
                return t;
            }
        }
        return null;
    }

    private static void assertRefusedByNativeCode(Throwable failure) throws Exception {
        Throwable refusal = refusalIn(failure);
        assertTrue(refusal != null, "a HostGuard refusal behind " + failure);
        assertEquals("native-code", refusal.getClass().getMethod("rule").invoke(refusal));
    }

    private static JsonNode lastLoadEvent(String api) throws IOException {
        JsonNode last = null;
        for (String line : Files.readAllLines(events)) {
            JsonNode event = JSON.readTree(line);
            if ("native-load".equals(event.at("/event/action").asText())
                    && api.equals(event.at("/hostguard/native_api").asText())) {
                last = event;
            }
        }
        assertTrue(last != null, "a native-load event through " + api);
        return last;
    }

    private static Provider pkcs11(String config) {
        return Security.getProvider("SunPKCS11").configure("--" + config);
    }

    @Test
    void aPkcs11ModuleIsRefused() throws Exception {
        Path module = Files.writeString(dir.resolve("libevil-pkcs11.so"), "not a library");
        String config = "name=hg\nlibrary=" + module + "\n";
        inRequest(false, () -> assertRefusedByNativeCode(assertThrows(ProviderException.class, () -> pkcs11(config))));
        assertEquals(module.toString(), lastLoadEvent("pkcs11").at("/dll/path").asText());

        inRequest(true, () -> {
            ProviderException failed = assertThrows(ProviderException.class, () -> pkcs11(config));
            assertNull(refusalIn(failed), "a user's module is opened (and fails: it is no library)");
        });
    }

    @Test
    void anNssLibraryIsRefused() throws Exception {
        Path nss = Files.createDirectories(dir.resolve("nss"));
        String config = "name=hgnss\nnssLibraryDirectory=" + nss + "\nnssDbMode=noDb\nnssModule=crypto\n";
        inRequest(false, () -> assertRefusedByNativeCode(assertThrows(ProviderException.class, () -> pkcs11(config))));
        assertEquals(nss.toString(), lastLoadEvent("pkcs11-nss").at("/dll/path").asText());
    }

    /** The JDK opens the PC/SC library once per JVM: the refusal stands for this JVM's life (no other test uses it). */
    @Test
    void aSmartCardLibraryIsRefused() throws Exception {
        Path library = Files.writeString(dir.resolve("libevil-pcsc.so"), "not a library");
        System.setProperty("sun.security.smartcardio.library", library.toString());
        inRequest(false, () -> {
            try {
                TerminalFactory.getInstance("PC/SC", null).terminals().list();
            } catch (Exception unavailable) {
                // PC/SC is unavailable: what javax.smartcardio answers when its library cannot be opened
            }
        });
        assertEquals(library.toString(), lastLoadEvent("smartcardio").at("/dll/path").asText());
    }
}

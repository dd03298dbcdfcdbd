package dev.hostguard.agent.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostguard.agent.context.Authentication;
import dev.hostguard.agent.policy.AuthClass;
import dev.hostguard.agent.policy.Decision;
import dev.hostguard.agent.policy.Mode;
import dev.hostguard.agent.policy.NativeCode;
import dev.hostguard.agent.policy.Operation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Native-code events: the library in ECS {@code dll}, the API and a downcall's function under {@code hostguard}. */
class NativeCodeEventJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode json(Operation operation) throws Exception {
        return MAPPER.readTree(EventJson.toJson(SecurityEvent.of(operation,
                new Decision(Decision.Verdict.BLOCK, "native-code"), Mode.BLOCK,
                new Authentication(AuthClass.NONE, null, null, "no credentials"),
                new RequestInfo("GET", "/public/exec", "127.0.0.1"), null, "worker-1", List.of())));
    }

    @Test
    void aLibraryLoadNamesTheLibraryAndTheApi() throws Exception {
        JsonNode json = json(NativeCode.load(NativeCode.JNI, "/opt/jdk/lib/librmi.so", NativeCode.RULE));
        assertEquals("native-load", json.at("/event/action").asText());
        assertEquals("library", json.at("/event/category/0").asText());
        assertEquals("native-code", json.at("/hostguard/rule").asText());
        assertEquals("jni", json.at("/hostguard/native_api").asText());
        assertEquals("/opt/jdk/lib/librmi.so", json.at("/dll/path").asText());
        assertEquals("librmi.so", json.at("/dll/name").asText());
        assertTrue(json.at("/file").isMissingNode() && json.at("/process").isMissingNode());
        assertTrue(json.at("/hostguard/native_function").isMissingNode());

        JsonNode jna = json(NativeCode.load(NativeCode.JNA, "c", NativeCode.RULE));
        assertEquals("jna", jna.at("/hostguard/native_api").asText());
        assertEquals("c", jna.at("/dll/name").asText());
    }

    @Test
    void aDowncallNamesItsFunction() throws Exception {
        JsonNode json = json(NativeCode.downcall("function (a8i4)i4 at 0x7f0012", NativeCode.RULE));
        assertEquals("native-downcall", json.at("/event/action").asText());
        assertEquals("ffm-downcall", json.at("/hostguard/native_api").asText());
        assertEquals("function (a8i4)i4 at 0x7f0012", json.at("/hostguard/native_function").asText());
        assertTrue(json.at("/dll").isMissingNode());
    }
}

package dev.hostguard.agent.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostguard.agent.context.Authentication;
import dev.hostguard.agent.path.ResolvedPath;
import dev.hostguard.agent.policy.Action;
import dev.hostguard.agent.policy.AuthClass;
import dev.hostguard.agent.policy.Decision;
import dev.hostguard.agent.policy.FileAccess;
import dev.hostguard.agent.policy.Mode;
import dev.hostguard.agent.policy.Operation;
import dev.hostguard.agent.policy.Rule;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** File changes: the judged path in {@code file.path}, the other one in {@code file.target_path}, what changed. */
class FileChangeEventJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Rule HOST = new Rule("host-filesystem", "host filesystem",
            EnumSet.of(FileAccess.WRITE, FileAccess.CHANGE), "d", "s");

    private static JsonNode json(Operation operation) throws Exception {
        return MAPPER.readTree(EventJson.toJson(SecurityEvent.of(operation,
                new Decision(Decision.Verdict.BLOCK, "host-filesystem"), Mode.BLOCK,
                new Authentication(AuthClass.API_KEY, null, null, "an API key"),
                new RequestInfo("POST", "/admin/upload", "127.0.0.1"), null, "worker-1", List.of())));
    }

    @Test
    void aRenameNamesBothPaths() throws Exception {
        JsonNode json = json(Operation.fileChange(Action.FILE_RENAME, FileAccess.WRITE,
                new ResolvedPath("/host/etc/cron.d/x", "/host/etc/cron.d/x", "/host/etc/cron.d/x"), "/tmp/x", null,
                HOST));
        assertEquals("file-rename", json.at("/event/action").asText());
        assertEquals("file", json.at("/event/category/0").asText());
        assertEquals("write", json.at("/hostguard/access").asText());
        assertEquals("/host/etc/cron.d/x", json.at("/file/path").asText());
        assertEquals("/tmp/x", json.at("/file/target_path").asText());
        assertTrue(json.at("/file/original_path").isMissingNode() && json.at("/hostguard/change").isMissingNode());
    }

    @Test
    void anAttributeChangeSaysWhatChanged() throws Exception {
        Operation chmod = Operation.fileChange(Action.FILE_ATTRIBUTES, FileAccess.CHANGE,
                new ResolvedPath("bin/su", "/srv/bin/su", "/host/usr/bin/su"), null, "mode 4755", HOST);
        JsonNode json = json(chmod);
        assertEquals("file-attributes", json.at("/event/action").asText());
        assertEquals("change", json.at("/hostguard/access").asText());
        assertEquals("mode 4755", json.at("/hostguard/change").asText());
        assertEquals("/host/usr/bin/su", json.at("/file/path").asText());
        assertEquals("bin/su", json.at("/file/original_path").asText());
        assertTrue(json.at("/file/target_path").isMissingNode());
        assertEquals("mode 4755", chmod.change());
        assertEquals(null, chmod.targetPath());
        assertEquals(Action.FILE_ATTRIBUTES, Action.of(FileAccess.CHANGE));
    }

    @Test
    void otherOperationsHaveNeitherField() {
        Operation open = Operation.file(FileAccess.READ, new ResolvedPath("/etc/shadow", "/etc/shadow", "/etc/shadow"),
                HOST);
        assertEquals(null, open.targetPath());
        assertEquals(null, open.change());
        for (Action action : Action.values()) {
            assertEquals(action.eventAction().startsWith("file-") && action != Action.FILE_OPEN, action.changesFiles(),
                    action.name());
        }
    }
}

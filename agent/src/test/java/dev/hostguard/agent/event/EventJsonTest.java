package dev.hostguard.agent.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostguard.agent.context.Authentication;
import dev.hostguard.agent.context.KeyFingerprint;
import dev.hostguard.agent.policy.AuthClass;
import dev.hostguard.agent.policy.Decision;
import dev.hostguard.agent.policy.Mode;
import dev.hostguard.agent.policy.Operation;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static SecurityEvent event(String path, String... command) {
        return SecurityEvent.of(Operation.processStart(command, "/srv"),
                new Decision(Decision.Verdict.BLOCK, "process-start"), Mode.BLOCK,
                new Authentication(AuthClass.API_KEY, KeyFingerprint.of("the-key"), "header X-Service-Key",
                        "Spring Security token com.example.ApiKeyAuthentication: no login HostGuard attributes to a person"),
                new RequestInfo("POST", path, "10.0.0.7"), null, "worker-1", List.of("app.Admin.run(Admin.java:9)"));
    }

    @Test
    void hasTheNestedEcsFields() throws Exception {
        SecurityEvent e = event("/admin/exec", "docker", "ps");
        JsonNode json = MAPPER.readTree(EventJson.toJson(e));
        assertEquals(e.timestamp().truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
                java.time.Instant.parse(json.get("@timestamp").asText()));
        assertEquals(e.id(), json.at("/event/id").asText());
        assertEquals("process-start", json.at("/event/action").asText());
        assertEquals("failure", json.at("/event/outcome").asText());
        assertEquals("blocked", json.at("/hostguard/decision").asText());
        assertEquals("block", json.at("/hostguard/mode").asText());
        assertEquals("process-start", json.at("/hostguard/rule").asText());
        assertEquals("api-key", json.at("/hostguard/auth").asText());
        assertTrue(json.at("/hostguard/auth_reason").asText().startsWith("Spring Security token com.example."));
        assertEquals("app.Admin.run(Admin.java:9)", json.at("/hostguard/frames/0").asText());
        assertEquals("docker", json.at("/process/executable").asText());
        assertEquals("ps", json.at("/process/args/1").asText());
        assertEquals("/srv", json.at("/process/working_directory").asText());
        assertEquals("/admin/exec", json.at("/url/path").asText());
        assertEquals("POST", json.at("/http/request/method").asText());
        assertEquals("10.0.0.7", json.at("/client/ip").asText());
        assertEquals(KeyFingerprint.of("the-key"), json.at("/api_key/fingerprint").asText());
        assertEquals("header X-Service-Key", json.at("/api_key/source").asText());
        assertEquals("worker-1", json.at("/thread/name").asText());
        assertEquals("request", json.at("/hostguard/context").asText());
        assertTrue(json.at("/hostguard/submitter").isMissingNode());
    }

    @Test
    void aGrpcCallIsItsOwnContextHandedOverOrNot() throws Exception {
        RequestInfo call = new RequestInfo("POST", "/demo.Admin/Exec", "10.0.0.7", null, "grpc", null);
        Authentication none = new Authentication(AuthClass.NONE, null, null, "no login and no API key");
        SecurityEvent served = SecurityEvent.of(Operation.processStart(new String[] {"docker", "ps"}, "/srv"),
                new Decision(Decision.Verdict.BLOCK, "process-start"), Mode.BLOCK, none, call, null,
                "grpc-default-executor-0", List.of());
        JsonNode json = MAPPER.readTree(EventJson.toJson(served));
        assertEquals("grpc", json.at("/hostguard/context").asText());
        assertEquals("/demo.Admin/Exec", json.at("/url/path").asText());
        SecurityEvent handedOver = SecurityEvent.of(Operation.processStart(new String[] {"docker", "ps"}, "/srv"),
                new Decision(Decision.Verdict.BLOCK, "process-start"), Mode.BLOCK, none,
                call, "grpc-default-executor-0", "pool-1-thread-1", List.of());
        JsonNode handedOverJson = MAPPER.readTree(EventJson.toJson(handedOver));
        assertEquals("grpc", handedOverJson.at("/hostguard/context").asText());
        assertEquals("grpc-default-executor-0", handedOverJson.at("/hostguard/submitter").asText());
    }

    @Test
    void aWebSocketMessagesEventSaysSoAndNamesItsHandshake() throws Exception {
        SecurityEvent e = SecurityEvent.of(Operation.processStart(new String[] {"id"}, "/srv"),
                new Decision(Decision.Verdict.BLOCK, "process-start"), Mode.BLOCK, null,
                new RequestInfo("GET", "/admin/ws", "10.0.0.7").withContext("websocket"), "http-nio-exec-1",
                "http-nio-exec-2", List.of());
        JsonNode json = MAPPER.readTree(EventJson.toJson(e));
        assertEquals("websocket", json.at("/hostguard/context").asText());
        assertEquals("/admin/ws", json.at("/url/path").asText());
        assertEquals("GET", json.at("/http/request/method").asText());
        assertEquals("http-nio-exec-1", json.at("/hostguard/submitter").asText(), "the handshake's thread");
    }

    @Test
    void aMessagesEventNamesItsSystemAndDestinationInsteadOfHttpFields() throws Exception {
        SecurityEvent e = SecurityEvent.of(Operation.processStart(new String[] {"docker", "ps"}, "/srv"),
                new Decision(Decision.Verdict.LOG, "process-start"), Mode.BLOCK,
                new Authentication(AuthClass.MESSAGE, null, null, "a message consumed from jms /orders"),
                RequestInfo.of(new dev.hostguard.agent.context.MessageView("jms",
                        "orders")), null, "listener-1", List.of());
        JsonNode json = MAPPER.readTree(EventJson.toJson(e));
        assertEquals("message", json.at("/hostguard/context").asText());
        assertEquals("message", json.at("/hostguard/auth").asText());
        assertEquals("/orders", json.at("/url/path").asText());
        assertEquals("jms", json.at("/messaging/system").asText());
        assertEquals("orders", json.at("/messaging/destination/name").asText());
        assertTrue(json.at("/http").isMissingNode());
        assertTrue(json.at("/client").isMissingNode());
        assertTrue(json.at("/api_key").isMissingNode());
    }

    @Test
    void aNamedKeyAndAKeysOwnActionAreNamed() throws Exception {
        String fingerprint = KeyFingerprint.of("the-key");
        dev.hostguard.agent.policy.KeyAction ciBot = new dev.hostguard.agent.policy.KeyAction("ci-bot", fingerprint,
                Decision.Verdict.LOG);
        JsonNode json = MAPPER.readTree(EventJson.toJson(SecurityEvent.of(Operation.processStart(new String[] {"tar"},
                "/srv"), new Decision(Decision.Verdict.LOG, "process-start", null, ciBot), Mode.BLOCK,
                new Authentication(AuthClass.API_KEY, fingerprint, "header X-API-Key", "an API key"), "ci-bot",
                new RequestInfo("POST", "/admin/backup", "10.0.0.7"), null, "worker-1", List.of())));
        assertEquals("logged", json.at("/hostguard/decision").asText());
        assertEquals("auth.keys.ci-bot", json.at("/hostguard/key_action").asText());
        assertEquals(fingerprint, json.at("/api_key/fingerprint").asText());
        assertEquals("ci-bot", json.at("/api_key/name").asText());

        JsonNode unnamed = MAPPER.readTree(EventJson.toJson(event("/admin/exec", "docker", "ps")));
        assertTrue(unnamed.at("/api_key/name").isMissingNode());
        assertTrue(unnamed.at("/hostguard/key_action").isMissingNode());
    }

    @Test
    void theRequestsCorrelationIdsAreEcsFieldsWhenKnown() throws Exception {
        SecurityEvent plain = event("/admin/exec", "id");
        JsonNode without = MAPPER.readTree(EventJson.toJson(plain));
        assertTrue(without.at("/trace").isMissingNode());
        assertTrue(without.at("/span").isMissingNode());
        assertTrue(without.at("/http/request/id").isMissingNode());
        SecurityEvent traced = new SecurityEvent(plain.id(), plain.timestamp(), plain.operation(), plain.decision(),
                plain.mode(), plain.auth(), null, plain.request().withTrace(new TraceIds("4bf92f3577b34da6a3ce929d0e0e4736",
                "00f067aa0ba902b7", "req-7")), null, "worker-1", List.of());
        JsonNode with = MAPPER.readTree(EventJson.toJson(traced));
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", with.at("/trace/id").asText());
        assertEquals("00f067aa0ba902b7", with.at("/span/id").asText());
        assertEquals("req-7", with.at("/http/request/id").asText());
        assertEquals("POST", with.at("/http/request/method").asText());
        JsonNode tampered = MAPPER.readTree(EventJson.policyTampered("/etc/p.yaml", "ab", "/etc/p.yaml", "write",
                "api-key", traced.request(), plain.timestamp()));
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", tampered.at("/trace/id").asText());
        assertEquals("req-7", tampered.at("/http/request/id").asText());
        JsonNode onlyId = MAPPER.readTree(EventJson.tamper("id-1", "jmx", "t", null, "refused", "audit", "api-key",
                new RequestInfo("GET", "/x", "::1", new TraceIds(null, null, "req-8")), List.of()));
        assertEquals("req-8", onlyId.at("/http/request/id").asText());
        assertTrue(onlyId.at("/trace").isMissingNode());
    }

    @Test
    void nothingAnAttackerControlsCanBreakTheLine() throws Exception {
        String hostile = "/a\n{\"forged\":true}\r\u2028\"\\";
        String line = EventJson.toJson(event(hostile, "sh", "-c", "echo \"x\"\n"));
        assertFalse(line.contains("\n") || line.contains("\r"), line);
        JsonNode json = MAPPER.readTree(line);
        assertEquals(hostile, json.at("/url/path").asText());
        assertTrue(json.get("forged") == null);
    }

    @Test
    void theKeyNeverAppears() {
        assertFalse(EventJson.toJson(event("/admin")).contains("the-key"));
    }

    @Test
    void fileEventsNameThePathTheOriginalSpellingAndTheAccess() throws Exception {
        dev.hostguard.agent.policy.Rule environ = new dev.hostguard.agent.policy.Rule("proc-environ",
                "secrets in process environment", java.util.Set.of(dev.hostguard.agent.policy.FileAccess.READ),
                "d", "s");
        SecurityEvent e = SecurityEvent.of(Operation.file(dev.hostguard.agent.policy.FileAccess.READ,
                        new dev.hostguard.agent.path.ResolvedPath("/proc/self/environ", "/proc/self/environ",
                                "/proc/4242/environ"), environ),
                new Decision(Decision.Verdict.LOG, "proc-environ"), Mode.AUDIT,
                new Authentication(AuthClass.NONE, null, null, "no login and no API key"), new RequestInfo("GET", "/admin/files", "::1"), "qtp-7", "pool-1-thread-1",
                List.of());
        JsonNode json = MAPPER.readTree(EventJson.toJson(e));
        assertEquals("file-open", json.at("/event/action").asText());
        assertEquals("file", json.at("/event/category/0").asText());
        assertEquals("/proc/4242/environ", json.at("/file/path").asText());
        assertEquals("/proc/self/environ", json.at("/file/original_path").asText());
        assertEquals("read", json.at("/hostguard/access").asText());
        assertEquals("logged", json.at("/hostguard/decision").asText());
        assertEquals("propagated", json.at("/hostguard/context").asText());
        assertEquals("qtp-7", json.at("/hostguard/submitter").asText());
        assertTrue(json.get("process") == null && json.get("api_key") == null);
    }

    @Test
    void blockResponseNamesRuleAndEvent() throws Exception {
        JsonNode json = MAPPER.readTree(EventJson.blockResponse("process-start", "e-1"));
        assertEquals("blocked by HostGuard", json.get("error").asText());
        assertEquals("process-start", json.get("rule").asText());
        assertEquals("e-1", json.get("event_id").asText());
    }

    @Test
    void summaryNamesOperationRuleKeyAndEventButNotTheKey() {
        SecurityEvent e = event("/admin", "docker", "ps");
        String summary = e.summary();
        assertTrue(summary.contains("process-start docker") && summary.contains("rule process-start")
                && summary.contains(KeyFingerprint.of("the-key")) && summary.contains(e.id()), summary);
        assertFalse(summary.contains("the-key"));
    }
}

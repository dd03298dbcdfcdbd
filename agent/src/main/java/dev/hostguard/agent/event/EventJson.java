package dev.hostguard.agent.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.hostguard.agent.policy.Action;
import dev.hostguard.agent.policy.NativeCode;
import dev.hostguard.agent.policy.Operation;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The JSON forms of events and of the block response. Field names follow ECS where ECS has them; everything goes
 * through a JSON generator, so no path, header or argument can break a line or inject a field.
 */
public final class EventJson {
    private static final JsonFactory JSON = new JsonFactory();

    private EventJson() {
    }

    /** One event as a single line of JSON. */
    public static String toJson(SecurityEvent e) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("@timestamp", EventStamps.iso(e.timestamp()));
            g.writeObjectFieldStart("event");
            g.writeStringField("id", e.id());
            g.writeStringField("kind", e.decision().allowedBy() != null ? "event" : "alert");
            g.writeArrayFieldStart("category");
            g.writeString(e.operation().action().category());
            g.writeEndArray();
            g.writeStringField("action", e.operation().action().eventAction());
            g.writeStringField("outcome", e.decision().blocked() ? "failure" : "success");
            g.writeEndObject();

            g.writeObjectFieldStart("hostguard");
            g.writeStringField("decision", e.decision().eventDecision());
            g.writeStringField("mode", e.mode().label());
            g.writeStringField("rule", e.decision().rule());
            g.writeStringField("auth", e.auth() == null ? "outside-request" : e.auth().authClass().label());
            if (e.auth() != null) {
                g.writeStringField("auth_reason", e.auth().reason());
                if (e.auth().unattributedPrincipal() != null) {
                    g.writeStringField("principal_type", e.auth().unattributedPrincipal());
                }
            }
            if (e.decision().allowedBy() != null) {
                g.writeStringField("reason", e.decision().allowedBy().reason());
                g.writeNumberField("allow_entry", e.decision().allowedBy().index());
            }
            if (e.decision().byKey() != null) { // the action was the key's own, not its class's
                g.writeStringField("key_action", "auth.keys." + e.decision().byKey().label());
            }
            if (e.operation().access() != null) {
                g.writeStringField("access", e.operation().access().label());
            }
            if (e.operation().action() == Action.PROCESS_SIGNAL) {
                g.writeStringField("signal", e.operation().arguments().get(1));
            }
            if (e.operation().action() == Action.JVM_DIAGNOSTIC) {
                g.writeStringField("jvm_diagnostic", e.operation().arguments().get(0));
                g.writeStringField("jvm_command", e.operation().target());
            }
            if (e.operation().change() != null) {
                g.writeStringField("change", e.operation().change());
            }
            String nativeApi = NativeCode.api(e.operation());
            if (nativeApi != null) {
                g.writeStringField("native_api", nativeApi);
                if (e.operation().action() == Action.NATIVE_DOWNCALL) {
                    g.writeStringField("native_function", e.operation().target());
                }
            }
            g.writeStringField("context", context(e));
            if (e.submitter() != null) {
                g.writeStringField("submitter", e.submitter());
            }
            g.writeArrayFieldStart("frames");
            for (String frame : e.frames()) {
                g.writeString(frame);
            }
            g.writeEndArray();
            g.writeEndObject();

            writeOperation(g, e.operation());

            writeRequest(g, e.request());
            if (e.auth() != null && e.auth().keyFingerprint() != null) {
                g.writeObjectFieldStart("api_key");
                g.writeStringField("fingerprint", e.auth().keyFingerprint());
                if (e.keyName() != null) {
                    g.writeStringField("name", e.keyName());
                }
                if (e.auth().keySource() != null) {
                    g.writeStringField("source", e.auth().keySource());
                }
                g.writeEndObject();
            }
            g.writeObjectFieldStart("thread");
            g.writeStringField("name", e.threadName());
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    /**
     * The ECS fields of the request an event came from, if any: {@code url.path}, {@code http.request.method},
     * {@code client.ip}, and when known {@code http.request.id}, {@code trace.id}, {@code span.id}; for a message,
     * {@code url.path} and the messaging fields instead of the HTTP ones.
     */
    private static void writeRequest(JsonGenerator g, RequestInfo request) throws IOException {
        if (request == null) {
            return;
        }
        TraceIds trace = request.trace();
        g.writeObjectFieldStart("url");
        g.writeStringField("path", request.path());
        g.writeEndObject();
        if (request.messagingSystem() != null) {
            writeMessage(g, request);
        } else {
            writeHttp(g, request, trace);
        }
        if (trace != null && trace.traceId() != null) {
            g.writeObjectFieldStart("trace");
            g.writeStringField("id", trace.traceId());
            g.writeEndObject();
        }
        if (trace != null && trace.spanId() != null) {
            g.writeObjectFieldStart("span");
            g.writeStringField("id", trace.spanId());
            g.writeEndObject();
        }
    }

    private static void writeHttp(JsonGenerator g, RequestInfo request, TraceIds trace) throws IOException {
        g.writeObjectFieldStart("http");
        g.writeObjectFieldStart("request");
        g.writeStringField("method", request.method());
        if (trace != null && trace.requestId() != null) {
            g.writeStringField("id", trace.requestId());
        }
        g.writeEndObject();
        g.writeEndObject();
        g.writeObjectFieldStart("client");
        g.writeStringField("ip", request.clientIp());
        g.writeEndObject();
    }

    /** A message's ECS/OpenTelemetry fields: {@code messaging.system}, {@code messaging.destination.name}. */
    private static void writeMessage(JsonGenerator g, RequestInfo message) throws IOException {
        g.writeObjectFieldStart("messaging");
        g.writeStringField("system", message.messagingSystem());
        g.writeObjectFieldStart("destination");
        g.writeStringField("name", message.destinationName());
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void writeOperation(JsonGenerator g, Operation op) throws IOException {
        switch (op.action()) {
            case FILE_OPEN, DIRECTORY_LIST, UNIX_CONNECT -> {
                g.writeObjectFieldStart("file");
                g.writeStringField("path", op.target());
                if (op.originalTarget() != null) {
                    g.writeStringField("original_path", op.originalTarget());
                }
                g.writeEndObject();
            }
            case FILE_RENAME, FILE_LINK, FILE_SYMLINK, FILE_DELETE, FILE_CREATE, FILE_ATTRIBUTES -> {
                // the judged path; a rename's or link's other path as ECS file.target_path (a symlink's target)
                g.writeObjectFieldStart("file");
                g.writeStringField("path", op.target());
                if (op.originalTarget() != null) {
                    g.writeStringField("original_path", op.originalTarget());
                }
                if (op.targetPath() != null) {
                    g.writeStringField("target_path", op.targetPath());
                }
                g.writeEndObject();
            }
            case NATIVE_LOAD -> {
                // ECS dll: "code libraries dynamically loaded into processes"
                g.writeObjectFieldStart("dll");
                g.writeStringField("path", op.target());
                g.writeStringField("name", op.target().substring(op.target().lastIndexOf('/') + 1));
                g.writeEndObject();
            }
            case NETWORK_CONNECT -> {
                // ECS destination: the address connected to, its port, and the name the caller connected to
                g.writeObjectFieldStart("destination");
                g.writeStringField("address", op.destinationAddress());
                g.writeStringField("ip", op.destinationAddress());
                g.writeNumberField("port", op.destinationPort());
                if (op.destinationDomain() != null) {
                    g.writeStringField("domain", op.destinationDomain());
                }
                g.writeEndObject();
            }
            case PROCESS_SIGNAL -> {
                // ECS process: the process signalled (never its command line: reading that is a finding of its own)
                g.writeObjectFieldStart("process");
                g.writeNumberField("pid", Long.parseLong(op.target()));
                g.writeEndObject();
            }
            case PROCESS_START -> {
                g.writeObjectFieldStart("process");
                g.writeStringField("executable", op.target());
                g.writeArrayFieldStart("args");
                for (String arg : op.arguments()) {
                    g.writeString(arg);
                }
                g.writeEndArray();
                g.writeStringField("working_directory", op.workingDirectory());
                g.writeEndObject();
            }
        }
    }

    /**
     * A {@code policy-reloaded} event: a changed policy file is in force.
     *
     * @param mode the mode in force now
     */
    public static String policyReloaded(String path, String sha256, String mode) {
        return configuration("policy-reloaded", "success", g -> {
            g.writeStringField("mode", mode);
            g.writeObjectFieldStart("policy");
            g.writeStringField("path", path);
            g.writeStringField("sha256", sha256);
            g.writeEndObject();
        }, null);
    }

    /** A {@code policy-error} event: a changed policy file was refused; the policy in force stays. */
    public static String policyError(String path, String sha256, String error) {
        return configuration("policy-error", "failure", g -> {
            g.writeObjectFieldStart("policy");
            g.writeStringField("path", path);
            if (sha256 != null) {
                g.writeStringField("sha256", sha256);
            }
            g.writeEndObject();
        }, error);
    }

    /**
     * A {@code policy-tampered} event: the policy file changed after a guarded request wrote or changed it (or what it
     * is read through), so the change is not put in force; the policy in force stays. An alert
     * ({@code event.category} {@code configuration} and {@code intrusion_detection}), naming the request.
     *
     * @param sha256 the hash of the refused content
     * @param written the path the request wrote or changed, as resolved
     * @param access {@code write} or {@code change}
     * @param auth the request's authentication class
     * @param request the request (method, path, client); {@code null} when unknown
     * @param at when it wrote
     */
    public static String policyTampered(String path, String sha256, String written, String access, String auth,
                                        RequestInfo request, java.time.Instant at) {
        return write(g -> {
            startAgentEvent(g, "alert");
            g.writeArrayFieldStart("category");
            g.writeString("configuration");
            g.writeString("intrusion_detection");
            g.writeEndArray();
            g.writeStringField("action", "policy-tampered");
            g.writeStringField("outcome", "failure");
            g.writeEndObject();
            g.writeObjectFieldStart("hostguard");
            g.writeStringField("rule", "hostguard-files");
            g.writeStringField("auth", auth);
            g.writeStringField("access", access);
            g.writeStringField("written_at", EventStamps.iso(at));
            g.writeObjectFieldStart("policy");
            g.writeStringField("path", path);
            g.writeStringField("sha256", sha256);
            g.writeEndObject();
            g.writeEndObject();
            g.writeObjectFieldStart("file");
            g.writeStringField("path", written);
            g.writeEndObject();
            writeRequest(g, request);
            g.writeObjectFieldStart("error");
            g.writeStringField("message", "the policy file was written by a guarded request (" + auth + "): the"
                    + " change is not put in force, the policy in force stays; restore the file");
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    /**
     * A {@code tamper} event: code in the service tried to reach HostGuard's own state (reflection into its classes,
     * an {@code Unsafe} offset of its fields, a facade method called out of turn) and was refused, or the agent's
     * self-check found that state changed (and put it back). An alert ({@code event.category}
     * {@code intrusion_detection}), rule {@code self-protection}, naming the request when there is one.
     *
     * @param id the event id (a refusal of the request names it)
     * @param family how: {@code set-accessible}, {@code private-lookup}, {@code unsafe-offset}, {@code facade-call},
     *               {@code self-check}
     * @param target what was aimed at (a class, a field, a facade method, a hooked site)
     * @param detail the caller or what was found
     * @param decision {@code refused} (the attempt failed, the request goes on), {@code blocked} (and the request is
     *                 refused, block mode) or {@code detected} (found changed by the self-check, and restored)
     * @param auth the request's authentication class; {@code null} outside requests
     * @param request the request; {@code null} outside requests
     * @param frames the application's frames that made the attempt
     */
    public static String tamper(String id, String family, String target, String detail, String decision, String mode,
                                String auth, RequestInfo request, java.util.List<String> frames) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("@timestamp", EventStamps.iso(java.time.Instant.now()));
            g.writeObjectFieldStart("event");
            g.writeStringField("id", id);
            g.writeStringField("kind", "alert");
            g.writeArrayFieldStart("category");
            g.writeString("intrusion_detection");
            g.writeEndArray();
            g.writeStringField("action", "tamper");
            g.writeStringField("outcome", "detected".equals(decision) ? "success" : "failure");
            g.writeEndObject();
            g.writeObjectFieldStart("hostguard");
            g.writeStringField("rule", "self-protection");
            g.writeStringField("decision", decision);
            g.writeStringField("mode", mode);
            if (auth != null) {
                g.writeStringField("auth", auth);
            }
            g.writeObjectFieldStart("tamper");
            g.writeStringField("family", family);
            g.writeStringField("target", target);
            if (detail != null) {
                g.writeStringField("detail", detail);
            }
            g.writeEndObject();
            if (frames != null && !frames.isEmpty()) {
                g.writeArrayFieldStart("frames");
                for (String frame : frames) {
                    g.writeString(frame);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            writeRequest(g, request);
            g.writeObjectFieldStart("error");
            g.writeStringField("message", "detected".equals(decision)
                    ? "HostGuard's own state was found changed (" + target + "): put back; " + detail
                    : "an attempt to reach HostGuard's own state (" + family + " " + target + ") was refused");
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    /** An {@code events-suppressed} event: how many events of one rule the rate limit held back in one second. */
    public static String eventsSuppressed(String rule, long epochSecond, long count, int perSecond) {
        return write(g -> {
            startAgentEvent(g, "metric");
            g.writeStringField("action", "events-suppressed");
            g.writeEndObject();
            g.writeObjectFieldStart("hostguard");
            g.writeStringField("rule", rule);
            g.writeNumberField("suppressed", count);
            g.writeStringField("second", EventStamps.iso(java.time.Instant.ofEpochSecond(epochSecond)));
            g.writeNumberField("rate_limit", perSecond);
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    /**
     * An {@code events-suppressed} event of the sink itself ({@code hostguard.rule} {@code event-sink}): events
     * dropped because its queue was full or its writes failed (a full disk), since the last such event.
     */
    public static String eventsDropped(String sink, long queueFull, long writeFailed) {
        return write(g -> {
            startAgentEvent(g, "metric");
            g.writeStringField("action", "events-suppressed");
            g.writeEndObject();
            g.writeObjectFieldStart("hostguard");
            g.writeStringField("rule", "event-sink");
            g.writeNumberField("suppressed", queueFull + writeFailed);
            g.writeObjectFieldStart("sink");
            g.writeStringField("target", sink);
            g.writeNumberField("queue_full", queueFull);
            g.writeNumberField("write_failed", writeFailed);
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    private static String configuration(String action, String outcome, Body hostguard, String error) {
        return write(g -> {
            startAgentEvent(g, "event");
            g.writeArrayFieldStart("category");
            g.writeString("configuration");
            g.writeEndArray();
            g.writeStringField("action", action);
            g.writeStringField("outcome", outcome);
            g.writeEndObject();
            g.writeObjectFieldStart("hostguard");
            hostguard.writeTo(g);
            g.writeEndObject();
            if (error != null) {
                g.writeObjectFieldStart("error");
                g.writeStringField("message", error);
                g.writeEndObject();
            }
            g.writeEndObject();
        });
    }

    /**
     * Opens an event of the agent's own (not of an operation): the line, its {@code @timestamp} (now), and its
     * {@code event} object with a new id and {@code kind}, left open for the caller's fields.
     */
    private static void startAgentEvent(JsonGenerator g, String kind) throws IOException {
        g.writeStartObject();
        g.writeStringField("@timestamp", EventStamps.iso(java.time.Instant.now()));
        g.writeObjectFieldStart("event");
        g.writeStringField("id", EventStamps.newId());
        g.writeStringField("kind", kind);
    }

    /** The body of the default 403 answer to a refused request. */
    public static byte[] blockResponse(String rule, String eventId) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("error", "blocked by HostGuard");
            g.writeStringField("rule", rule);
            g.writeStringField("event_id", eventId);
            g.writeEndObject();
        }).getBytes(StandardCharsets.UTF_8);
    }

    private interface Body {
        void writeTo(JsonGenerator g) throws IOException;
    }

    private static String write(Body body) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            body.writeTo(g);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to a string cannot fail", e);
        }
        return out.toString();
    }

    /**
     * {@code hostguard.context}: {@code outside-request}, {@code request} (the thread serves it), {@code propagated}
     * (work it handed over), or the kind of remote input its {@link RequestInfo#context()} names ({@code websocket},
     * {@code grpc}, {@code message}), handed over or not.
     */
    private static String context(SecurityEvent e) {
        if (e.request() == null) {
            return "outside-request";
        }
        if (!"request".equals(e.request().context())) {
            return e.request().context(); // the kind of remote input (websocket, grpc, message), handed over or not
        }
        return e.submitter() == null ? "request" : "propagated";
    }

}

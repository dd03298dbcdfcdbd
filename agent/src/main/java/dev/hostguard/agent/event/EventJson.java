package dev.hostguard.agent.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
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
            g.writeStringField("@timestamp", e.timestamp().toString());
            g.writeObjectFieldStart("event");
            g.writeStringField("id", e.id());
            g.writeStringField("kind", "alert");
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
            g.writeStringField("auth", e.auth().authClass().label());
            if (e.operation().access() != null) {
                g.writeStringField("access", e.operation().access().label());
            }
            g.writeStringField("context", e.submitter() == null ? "request" : "propagated");
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

            g.writeObjectFieldStart("url");
            g.writeStringField("path", e.request().path());
            g.writeEndObject();
            g.writeObjectFieldStart("http");
            g.writeObjectFieldStart("request");
            g.writeStringField("method", e.request().method());
            g.writeEndObject();
            g.writeEndObject();
            g.writeObjectFieldStart("client");
            g.writeStringField("ip", e.request().clientIp());
            g.writeEndObject();
            if (e.auth().keyFingerprint() != null) {
                g.writeObjectFieldStart("api_key");
                g.writeStringField("fingerprint", e.auth().keyFingerprint());
                g.writeEndObject();
            }
            g.writeObjectFieldStart("thread");
            g.writeStringField("name", e.threadName());
            g.writeEndObject();
            g.writeEndObject();
        });
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

    /** The body of the 403 answer to a refused request. */
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
}

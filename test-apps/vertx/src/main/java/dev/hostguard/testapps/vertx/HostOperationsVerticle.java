package dev.hostguard.testapps.vertx;

import dev.hostguard.testapps.ops.HostOperations;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * A verticle that runs {@link HostOperations} for messages on its event-bus address: deployed as a worker verticle
 * ({@code ThreadingModel.WORKER}, threads {@code vert.x-worker-thread-<n>}) and, on JDK 21+, as a virtual-thread
 * verticle ({@code ThreadingModel.VIRTUAL_THREAD}). The message is {@code {"op": ..., "params": {...}}}; the reply
 * is the operation's answer, or a failure (code 500) with the exception's text, which is what the requesting route
 * then fails with.
 */
final class HostOperationsVerticle extends VerticleBase {
    private final String address;

    HostOperationsVerticle(String address) {
        this.address = address;
    }

    @Override
    public Future<?> start() {
        return vertx.eventBus().<JsonObject>consumer(address, message -> {
            JsonObject body = message.body();
            Map<String, String> params = new HashMap<>();
            body.getJsonObject("params", new JsonObject()).forEach(e -> params.put(e.getKey(), String.valueOf(e.getValue())));
            try {
                message.reply(HostOperations.run(body.getString("op"), params));
            } catch (Exception e) {
                message.fail(500, e.toString());
            }
        }).completion();
    }

    /** The message for {@code op} with the request's query parameters. */
    static JsonObject message(String op, Map<String, String> params) {
        return new JsonObject().put("op", op).put("params", new JsonObject(new HashMap<>(params)));
    }
}

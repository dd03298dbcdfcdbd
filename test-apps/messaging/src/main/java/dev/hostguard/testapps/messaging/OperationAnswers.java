package dev.hostguard.testapps.messaging;

import dev.hostguard.testapps.ops.HostOperations;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every consumer of the app does with a message, whatever brought it: runs the host operation it names
 * ({@code op}, its parameters) and reports the outcome to the {@code GET /send} request that waits for its
 * {@code id}: the output, or {@code refused <exception>} when the operation threw (HostGuard's refusal included). A
 * consumer that catches what its work throws and goes on, as consumers usually do: the message is acknowledged either
 * way, no redelivery repeats the operation.
 */
final class OperationAnswers {
    private final Map<String, CompletableFuture<String>> waiting = new ConcurrentHashMap<>();

    /** The answer to the message {@code id}, once a consumer ran it. */
    CompletableFuture<String> expect(String id) {
        CompletableFuture<String> answer = new CompletableFuture<>();
        waiting.put(id, answer);
        return answer;
    }

    /** Runs the message's operation on the caller's thread (the consumer's) and answers its id. */
    void run(Map<String, String> message) {
        String answer = HostOperations.outcome(message);
        CompletableFuture<String> request = waiting.remove(message.get("id"));
        if (request != null) {
            request.complete(answer);
        }
    }
}

package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.any;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.hostguard.agent.bootstrap.Hooks;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * Kafka consumers: the work done for the records a {@code KafkaConsumer.poll} returned, on the polling thread until
 * its next {@code poll} or {@code close}, is in a {@code message} context whose request object is the batch
 * ({@code context.KafkaApi}: its topics the route). That poll-to-poll window is the one place every consumer passes
 * through, whatever processes the records: a plain poll loop, Spring's {@code KafkaMessageListenerContainer} (which
 * polls and calls the {@code @KafkaListener} on its consumer thread), Kafka Streams' stream threads. Per-record
 * precision would need each framework's own dispatch; the window classes the work right (never a user's) and names
 * every topic of the batch.
 */
final class KafkaHooks implements HookFamily {
    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(HookTarget.library("org.apache.kafka.clients.consumer.KafkaConsumer",
                new HookSite("KafkaConsumer.poll", "poll", takesArguments(1), advice("PollAdvice"), false),
                new HookSite("KafkaConsumer.close", "close", any(),
                        advice("CloseAdvice"), false)));
    }

    /** A poll ends the window of the previous one; the records it returns open the next. */
    static final class PollAdvice {
        private PollAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter() {
            Hooks.pollStarts();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Return Object records, @Advice.Thrown Throwable thrown) {
            if (thrown == null) {
                Hooks.recordsPolled(records);
            }
        }
    }

    /** A closed consumer's last records are done with. */
    static final class CloseAdvice {
        private CloseAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter() {
            Hooks.pollStarts();
        }
    }
}

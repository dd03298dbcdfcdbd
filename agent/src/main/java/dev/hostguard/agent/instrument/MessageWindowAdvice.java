package dev.hostguard.agent.instrument;

import dev.hostguard.agent.bootstrap.Hooks;
import net.bytebuddy.asm.Advice;

/**
 * The advice of consumers that take messages on the thread that then works for them (Kafka's {@code poll}, Spring
 * AMQP's {@code BlockingQueueConsumer.nextMessage}): a take ends the window of the previous one, and what it returns
 * opens the next, until the thread's next take or the consumer's close ({@code Hooks.pollStarts},
 * {@code Hooks.recordsPolled}). Named by the families through the constants, never loaded: Byte Buddy reads the
 * class files and inlines the advice.
 */
final class MessageWindowAdvice {
    /** {@link Take}'s binary name. */
    static final String TAKE = "dev.hostguard.agent.instrument.MessageWindowAdvice$Take";
    /** {@link End}'s binary name. */
    static final String END = "dev.hostguard.agent.instrument.MessageWindowAdvice$End";

    private MessageWindowAdvice() {
    }

    /** A take ends the previous window; what it returns (nothing: no window) opens the next. */
    static final class Take {
        private Take() {
        }

        @Advice.OnMethodEnter
        static void enter() {
            Hooks.pollStarts();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.Return Object taken, @Advice.Thrown Throwable thrown) {
            if (thrown == null) {
                Hooks.recordsPolled(taken);
            }
        }
    }

    /** A closed consumer's last messages are done with. */
    static final class End {
        private End() {
        }

        @Advice.OnMethodEnter
        static void enter() {
            Hooks.pollStarts();
        }
    }
}

package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.util.List;
import java.util.Set;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * JMS consumers: every {@code MessageListener.onMessage(Message)} (Jakarta and javax), and Spring's
 * {@code SessionAwareMessageListener.onMessage(Message, Session)} (what {@code @JmsListener}'s adapter is called
 * through), is a request to the guard whose request object is the message ({@code context.JmsApi}: class
 * {@code message}, its destination the route). The outermost entry opens the scope. A refusal throws out of the
 * operation to the listener, as anywhere; nothing answers for it (there is no response): a listener that lets it go
 * fails the delivery, and the provider redelivers or dead-letters the message as for any failure.
 */
final class JmsHooks implements HookFamily {
    private static final String[] MESSAGES = {"jakarta.jms.Message", "javax.jms.Message"};

    @Override
    public String name() {
        return "jms";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(HookTarget.subTypesOf(Set.of("jakarta.jms.MessageListener", "javax.jms.MessageListener",
                        "org.springframework.jms.listener.SessionAwareMessageListener"),
                new HookSite("MessageListener.onMessage", "onMessage", onMessage(1), RequestAdvice.EXCHANGE, false),
                new HookSite("SessionAwareMessageListener.onMessage", "onMessage", onMessage(2)
                        .and(takesArgument(1, namedOneOf("jakarta.jms.Session", "javax.jms.Session"))),
                        RequestAdvice.EXCHANGE, false)));
    }

    /** {@code onMessage(message, ...)} with {@code arguments} arguments, not abstract. */
    private static ElementMatcher.Junction<MethodDescription> onMessage(int arguments) {
        return takesArguments(arguments).and(takesArgument(0, namedOneOf(MESSAGES))).and(not(isAbstract()));
    }
}

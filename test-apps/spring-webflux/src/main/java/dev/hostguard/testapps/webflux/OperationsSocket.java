package dev.hostguard.testapps.webflux;

import dev.hostguard.testapps.ops.HostOperations;
import java.time.Duration;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A WebFlux {@link WebSocketHandler} at {@code /key/ws}, {@code /basic/ws} and {@code /anon/ws} (a
 * {@link SimpleUrlHandlerMapping} ordered before the annotated controllers, whose {@code /<mechanism>/<op>} would
 * take {@code ws} for an operation), each behind its family's filter chain ({@link SecurityConfig}): a text message
 * {@code op=<op>[&cmd=..&dir=..]} runs that {@link HostOperations} operation in the session's inbound {@code Flux}
 * (on the Reactor Netty event loop that read the frame) and is answered {@code ok <result>} or
 * {@code error <message>}, as the Spring Boot 3 app's {@code OperationsSocket}. The same at {@code /<area>/ws-late},
 * whose handler asks for its messages only {@link #LATE_READ} after the handshake (on Reactor's {@code parallel}
 * scheduler, as a handler that first looks something up would): a message sent at once waits in Reactor Netty's
 * inbound queue and reaches the handler later, from a task given to the event loop, not as the frame is read.
 * Each socket first says {@value #READY}: Reactor Netty 1.2 drops a frame that arrives between its handshake's
 * answer and the session taking over the connection, which it does later when WebFlux reached the upgrade off the
 * event loop (Spring Security's chains do); a client that waits for the greeting sends after that.
 */
@Configuration
class OperationsSocket implements WebSocketHandler {
    static final Duration LATE_READ = Duration.ofMillis(500);
    static final String READY = "ready";

    @Bean
    HandlerMapping webSocketMapping() {
        WebSocketHandler late = session -> session.send(Flux.concat(greeting(session),
                Mono.delay(LATE_READ).thenMany(answers(session))));
        return new SimpleUrlHandlerMapping(Map.of("/key/ws", this, "/basic/ws", this, "/anon/ws", this,
                "/key/ws-late", late, "/basic/ws-late", late, "/anon/ws-late", late), Ordered.HIGHEST_PRECEDENCE);
    }

    @Override
    public Mono<Void> handle(WebSocketSession session) {
        return session.send(Flux.concat(greeting(session), answers(session)));
    }

    private static Mono<WebSocketMessage> greeting(WebSocketSession session) {
        return Mono.fromSupplier(() -> session.textMessage(READY));
    }

    /** The answer to each text message of {@code session}, as its inbound {@code Flux} delivers them. */
    private static Flux<WebSocketMessage> answers(WebSocketSession session) {
        return session.receive()
                .filter(message -> message.getType() == WebSocketMessage.Type.TEXT)
                .map(message -> session.textMessage(HostOperations.answer(message.getPayloadAsText())));
    }
}

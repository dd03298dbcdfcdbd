package dev.hostguard.agent.context;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.web.server.WebFilterExchange;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The WebFlux view by reflection, on Spring's own request and response bases and an exchange of its interface. */
class WebFluxRequestViewTest {
    private final Request request = new Request();
    private final Response response = new Response();
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final ServerWebExchange exchange = exchange();

    @Test
    void theRequestIsReadAsTheClientSentIt() {
        RequestView view = RequestViews.of(exchange, null);
        assertInstanceOf(WebFluxRequestView.class, view);
        assertEquals("POST", view.method());
        assertEquals("/key/a%20b", view.path());
        assertEquals("cmd=id&dir=%2Ftmp", view.rawQuery());
        assertEquals("k-1", view.header("x-service-key"));
        assertEquals("10.1.2.3", view.clientIp());
        assertNull(view.principal());
        assertNull(view.authType());
        assertFalse(view.hasVerifiedClientCertificate());
    }

    @Test
    void aLoginIsKeptOnTheExchangeAlsoWhenNotedThroughSpringSecuritysFilterExchange() {
        UsernamePasswordAuthenticationToken login = UsernamePasswordAuthenticationToken.authenticated("ops", null,
                List.of());
        RequestViews.of(new WebFilterExchange(exchange, e -> Mono.empty()), null).noteLogin(login);
        assertSame(login, RequestViews.of(exchange, null).principal());
        RequestViews.of(exchange, null).noteLogin("not a principal");
        assertSame(login, RequestViews.of(exchange, null).principal(), "only a Principal is a login");
    }

    @Test
    void aSecurityContextNotedIsItsAuthentication() {
        UsernamePasswordAuthenticationToken login = UsernamePasswordAuthenticationToken.authenticated("ops", null,
                List.of());
        RequestViews.of(exchange, null).noteLogin(new SecurityContextImpl());
        assertNull(RequestViews.of(exchange, null).principal(), "a context without an Authentication: nothing");
        RequestViews.of(exchange, null).noteLogin(new SecurityContextImpl(login));
        assertSame(login, RequestViews.of(exchange, null).principal());
        assertNull(RequestViews.of(exchange, null).whenLoginLoaded("no Mono"));
    }

    @Test
    void theFirstRefusalIsKeptAndTheAnswerIsAMonoThatWritesThe403() throws Exception {
        RequestView view = RequestViews.of(exchange, null);
        assertFalse(view.respond(403, "application/json", new byte[0]), "WebFlux answers later");
        view.noteRefusal("first");
        view.noteRefusal("second");
        assertEquals("first", view.notedRefusal());

        byte[] body = "{\"error\":\"blocked by HostGuard\"}".getBytes(StandardCharsets.UTF_8);
        Object answer = view.answer(403, "application/json", body);
        assertInstanceOf(Mono.class, answer);
        assertEquals(List.of(), response.written, "the body is written when the answer is subscribed");
        ((Mono<?>) answer).block();
        assertEquals(HttpStatus.FORBIDDEN, response.getStatusCode());
        assertEquals("application/json", response.getHeaders().getFirst("Content-Type"));
        assertEquals(1, response.written.size());
        assertArrayEquals(body, response.written.get(0));
        assertNull(view.answer(403, "application/json", body), "a committed response is left alone");
    }

    @Test
    void onlyWebFluxsTypesStandForAWebFluxRequest() {
        assertNull(WebFluxApi.of(String.class));
        assertNull(WebFluxApi.of(Object.class));
        assertNotNull(WebFluxApi.of(exchange.getClass()));
    }

    private ServerWebExchange exchange() {
        return (ServerWebExchange) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServerWebExchange.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getRequest" -> request;
                    case "getResponse" -> response;
                    case "getAttributes" -> attributes;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "exchange";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static final class Request extends AbstractServerHttpRequest {
        Request() {
            super(HttpMethod.POST, URI.create("http://127.0.0.1:8080/key/a%20b?cmd=id&dir=%2Ftmp"), null,
                    headers());
        }

        private static HttpHeaders headers() {
            HttpHeaders headers = new HttpHeaders();
            headers.add("X-Service-Key", "k-1");
            return headers;
        }

        @Override
        protected MultiValueMap<String, HttpCookie> initCookies() {
            return new LinkedMultiValueMap<>();
        }

        @Override
        protected SslInfo initSslInfo() {
            return null;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T getNativeRequest() {
            return (T) this;
        }

        @Override
        public InetSocketAddress getRemoteAddress() {
            return new InetSocketAddress("10.1.2.3", 40000);
        }

        @Override
        public Flux<DataBuffer> getBody() {
            return Flux.empty();
        }
    }

    private static final class Response extends AbstractServerHttpResponse {
        final List<byte[]> written = new ArrayList<>();

        Response() {
            super(DefaultDataBufferFactory.sharedInstance);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T getNativeResponse() {
            return (T) this;
        }

        @Override
        protected Mono<Void> writeWithInternal(Publisher<? extends DataBuffer> body) {
            return Flux.from(body).doOnNext(buffer -> {
                byte[] bytes = new byte[buffer.readableByteCount()];
                buffer.read(bytes);
                written.add(bytes);
            }).then();
        }

        @Override
        protected Mono<Void> writeAndFlushWithInternal(Publisher<? extends Publisher<? extends DataBuffer>> body) {
            return Mono.error(new UnsupportedOperationException());
        }

        @Override
        protected void applyStatusCode() {
        }

        @Override
        protected void applyHeaders() {
        }

        @Override
        protected void applyCookies() {
        }
    }
}

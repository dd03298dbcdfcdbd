package dev.hostguard.benchmarks;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;

/**
 * A JDK {@code HttpServer} exchange that never touches a socket: {@code GET /admin/containers} from 127.0.0.1,
 * with the given request headers and principal. HostGuard recognises it as a JDK exchange (it is an
 * {@link HttpExchange}) and classifies it as it would a real one: with an {@code X-API-Key} header it is an
 * {@code api-key} request, which the rules guard; with a principal (what the JDK's {@code BasicAuthenticator}
 * of its context sets after a login) and no key, a {@code user} request, which they let run freely. Everything it answers is built once, so the exchange itself allocates nothing when read.
 * Sending a response is refused: a benchmark must never be answered "blocked", but for the one 403 that
 * {@link Requests}' probe earns a guarded request ({@link #expectRefusal}).
 */
final class FakeExchange extends HttpExchange {
    private final Headers requestHeaders = new Headers();
    private final Headers responseHeaders = new Headers();
    private final URI uri = URI.create("/admin/containers");
    private final InetSocketAddress remote = new InetSocketAddress("127.0.0.1", 40000);
    private final InetSocketAddress local = new InetSocketAddress("127.0.0.1", 8080);

    private final HttpPrincipal principal;

    /** @param headers name, value, name, value, ... */
    FakeExchange(String... headers) {
        this(null, headers);
    }

    /**
     * @param principal who logged in, or {@code null}
     * @param headers name, value, name, value, ...
     */
    FakeExchange(HttpPrincipal principal, String... headers) {
        this.principal = principal;
        for (int i = 0; i < headers.length; i += 2) {
            requestHeaders.add(headers[i], headers[i + 1]);
        }
    }

    @Override
    public Headers getRequestHeaders() {
        return requestHeaders;
    }

    @Override
    public Headers getResponseHeaders() {
        return responseHeaders;
    }

    @Override
    public URI getRequestURI() {
        return uri;
    }

    @Override
    public String getRequestMethod() {
        return "GET";
    }

    /** The contexts of a real (never bound) JDK server: a login route's, whose authenticator set the principal. */
    private static final HttpContext LOGIN_CONTEXT;
    private static final HttpContext OPEN_CONTEXT;

    static {
        try {
            HttpServer server = HttpServer.create();
            LOGIN_CONTEXT = server.createContext("/ops", exchange -> { });
            LOGIN_CONTEXT.setAuthenticator(new BasicAuthenticator("hostguard-bench") {
                @Override
                public boolean checkCredentials(String user, String password) {
                    return true;
                }
            });
            OPEN_CONTEXT = server.createContext("/admin", exchange -> { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public HttpContext getHttpContext() {
        return principal != null ? LOGIN_CONTEXT : OPEN_CONTEXT;
    }

    @Override
    public void close() {
    }

    @Override
    public InputStream getRequestBody() {
        return InputStream.nullInputStream();
    }

    @Override
    public OutputStream getResponseBody() {
        return OutputStream.nullOutputStream();
    }

    /** Whether HostGuard is to answer this request 403 once, at its exit: {@link Requests}' probe was refused in it. */
    private boolean refusalExpected;

    /** Lets HostGuard answer 403 once: the probe's refusal, which marks the request refused until its exit. */
    void expectRefusal() {
        refusalExpected = true;
    }

    @Override
    public void sendResponseHeaders(int rCode, long responseLength) {
        if (refusalExpected && rCode == 403) {
            refusalExpected = false;
            return;
        }
        throw new IllegalStateException("HostGuard answered the benchmark's fake request with " + rCode);
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return remote;
    }

    @Override
    public int getResponseCode() {
        return -1;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return local;
    }

    @Override
    public String getProtocol() {
        return "HTTP/1.1";
    }

    @Override
    public Object getAttribute(String name) {
        return null;
    }

    @Override
    public void setAttribute(String name, Object value) {
    }

    @Override
    public void setStreams(InputStream i, OutputStream o) {
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return principal;
    }
}

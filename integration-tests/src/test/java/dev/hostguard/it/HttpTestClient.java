package dev.hostguard.it;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A tiny client over {@link HttpClient}: a GET (or a POST, empty or of an HTML form), status, body and cookies, with
 * an API key or a BASIC login if asked.
 */
public final class HttpTestClient {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private HttpTestClient() {
    }

    /** What came back. */
    public record Response(int status, String body, HttpHeaders headers) {
        /** The body parsed as JSON; fails the test if it is not. */
        public JsonNode json() {
            try {
                return EventLog.JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new AssertionError("response body is not JSON (status " + status + "): " + body, e);
            }
        }

        /** The value this response's {@code Set-Cookie} headers give cookie {@code name}, if any. */
        public Optional<String> cookie(String name) {
            return headers.allValues("Set-Cookie").stream()
                    .map(c -> c.split(";", 2)[0])
                    .filter(c -> c.startsWith(name + "="))
                    .map(c -> c.substring(name.length() + 1))
                    .findFirst();
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    /** A GET of {@code path} on {@code base}. */
    public static Get get(URI base, String path) {
        return new Get(base, path);
    }

    /** One GET being built. */
    public static final class Get {
        private final URI base;
        private final String path;
        private final StringBuilder query = new StringBuilder();
        private final StringBuilder form = new StringBuilder();
        private final List<String[]> headers = new ArrayList<>();
        private String method = "GET";

        private Get(URI base, String path) {
            this.base = base;
            this.path = path;
        }

        /** Adds a query parameter, URL-encoded. */
        public Get query(String name, String value) {
            query.append(query.length() == 0 ? "" : "&").append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                    .append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
            return this;
        }

        /**
         * Sends it as a POST of an HTML form ({@code application/x-www-form-urlencoded}) with this field added,
         * URL-encoded.
         */
        public Get formField(String name, String value) {
            form.append(form.length() == 0 ? "" : "&").append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                    .append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
            method = "POST";
            return this;
        }

        /** Sends it as a POST with an empty body (the parameters stay in the query string). */
        public Get post() {
            method = "POST";
            return this;
        }

        public Get header(String name, String value) {
            headers.add(new String[] {name, value});
            return this;
        }

        /** {@code X-API-Key: <key>}. */
        public Get apiKey(String key) {
            return header("X-API-Key", key);
        }

        /** {@code Authorization: Basic ...}. */
        public Get basic(String user, String password) {
            return header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }

        public URI uri() {
            return base.resolve(path + (query.length() == 0 ? "" : "?" + query));
        }

        public Response send() {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri()).timeout(Duration.ofSeconds(30))
                    .method(method, form.length() == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(form.toString()));
            if (form.length() > 0) {
                request.header("Content-Type", "application/x-www-form-urlencoded");
            }
            for (String[] h : headers) {
                request.header(h[0], h[1]);
            }
            try {
                HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
                return new Response(response.statusCode(), response.body(), response.headers());
            } catch (IOException e) {
                throw new AssertionError(method + " " + uri() + " failed: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}

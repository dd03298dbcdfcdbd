package dev.hostguard.agent.event;

/**
 * The HTTP request an operation served, as far as events show it: never a header, a key or a query string.
 *
 * @param method the HTTP method
 * @param path the path, without the query string
 * @param clientIp the client's address
 */
public record RequestInfo(String method, String path, String clientIp) {
}

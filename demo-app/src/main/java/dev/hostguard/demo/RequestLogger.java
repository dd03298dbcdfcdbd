package dev.hostguard.demo;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line per request, {@code handled GET /admin/exec -> 200}. A Jetty RequestLog rather
 * than a servlet filter, so requests refused by the BASIC login are logged too. Jetty calls it when
 * the response is complete, i.e. just after the client may already have it.
 */
final class RequestLogger implements RequestLog {

    private static final Logger LOG = LoggerFactory.getLogger(RequestLogger.class);

    @Override
    public void log(Request request, Response response) {
        LOG.info("handled {} {} -> {}", request.getMethod(), request.getHttpURI().getPath(), response.getStatus());
    }
}

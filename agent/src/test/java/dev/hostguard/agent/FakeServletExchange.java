package dev.hostguard.agent;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.security.Principal;
import java.util.Map;
import java.util.TreeMap;

/**
 * A servlet request and response for either servlet API (Jakarta or javax), made of dynamic proxies: enough for
 * a servlet to run and for the guard to read authentication and answer a refusal.
 */
final class FakeServletExchange {
    final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    Principal principal;
    String authType;
    int status = 200;
    boolean committed;

    Object request(String basePackage) throws ClassNotFoundException {
        Class<?> type = Class.forName(basePackage + ".http.HttpServletRequest");
        return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, (proxy, method, args) ->
                switch (method.getName()) {
                    case "getMethod" -> "GET";
                    case "getRequestURI" -> "/admin/run";
                    case "getRemoteAddr" -> "127.0.0.1";
                    case "getHeader" -> headers.get((String) args[0]);
                    case "getUserPrincipal" -> principal;
                    case "getAuthType" -> authType;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "fake request";
                    default -> null;
                });
    }

    /** @param stream the API's {@code ServletOutputStream}, writing to {@link #body} */
    Object response(String basePackage, OutputStream stream) throws ClassNotFoundException {
        Class<?> type = Class.forName(basePackage + ".http.HttpServletResponse");
        return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, (proxy, method, args) ->
                switch (method.getName()) {
                    case "isCommitted" -> committed;
                    case "setStatus" -> {
                        status = (Integer) args[0];
                        yield null;
                    }
                    case "reset" -> {
                        body.reset();
                        yield null;
                    }
                    case "flushBuffer" -> {
                        committed = true;
                        yield null;
                    }
                    case "getOutputStream" -> stream;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> null;
                });
    }
}

package dev.hostguard.agent.context;

import java.security.Principal;

/**
 * A request entered with an object of a type no server HostGuard knows: the hooked servers never enter one, so it
 * was entered by hand ({@code Hooks.requestEnter} from code in the service). Nothing can be read from it: no key, no
 * login, no path. It is classified as having no login, never as a person's, so an entry made by hand cannot switch
 * judging off for the work inside it.
 *
 * @param type the request object's class name, for the event
 */
public record UnknownRequestView(String type) implements RequestView {
    @Override
    public String method() {
        return null;
    }

    @Override
    public String path() {
        return null;
    }

    @Override
    public String clientIp() {
        return null;
    }

    @Override
    public String header(String name) {
        return null;
    }

    @Override
    public String rawQuery() {
        return null;
    }

    @Override
    public Principal principal() {
        return null;
    }

    @Override
    public String authType() {
        return null;
    }

    @Override
    public boolean hasVerifiedClientCertificate() {
        return false;
    }

    @Override
    public boolean respond(int status, String contentType, byte[] body) {
        return false;
    }
}

package dev.hostguard.agent.context;

/**
 * A request entered with an object of a type no server HostGuard knows: the hooked servers never enter one, so it
 * was entered by hand ({@code Hooks.requestEnter} from code in the service). Nothing can be read from it: no key, no
 * login, no path. It is classified as having no login, never as a person's, so an entry made by hand cannot switch
 * judging off for the work inside it.
 *
 * @param type the request object's class name, for the event
 */
public record UnknownRequestView(String type) implements OpaqueRequestView {
}

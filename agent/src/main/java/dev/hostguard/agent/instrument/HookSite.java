package dev.hostguard.agent.instrument;

/**
 * Methods that get one advice class.
 *
 * @param name the site's name in diagnostics and the self-test
 * @param methods exactly the methods to hook: name plus argument types, one per JDK shape
 * @param advice the advice class
 * @param required whether start-up must find it on the running JDK (for JDK classes loaded at start-up)
 */
record HookSite(String name, MethodShape methods, Class<?> advice, boolean required) {
}

package dev.hostguard.agent;

import java.lang.instrument.UnmodifiableClassException;
import java.util.Set;

/**
 * The hooks as the start-up sees them once the transformer is registered ({@code instrument.HookInstaller}): what
 * is left to do and what the self-test found. An interface, because the weaving lives in its own class loader
 * ({@link WeavingClassLoader}) and the start-up must not link to its classes.
 */
public interface HookInstallation {

    /** Hooks, in one retransformation, the target classes the JVM loaded before the transformer was registered. */
    void hookLoaded() throws UnmodifiableClassException;

    /**
     * Weaves again, in one retransformation, every loaded class the hooks target, those woven as they loaded
     * included: what the self-check does when another transformer took hooks out.
     */
    void rehookAll() throws UnmodifiableClassException;

    /** Runs the self-test: the required JDK hook sites found on no method of this JDK. */
    Set<String> missingRequiredSites();

    /** Which hooked JDK classes were woven from the agent jar's entries and which by Byte Buddy here. */
    String jdkWeavingSources();

    /** The hooked sites by name, each once, so far (the others join as their classes load). */
    String hookedSites();
}

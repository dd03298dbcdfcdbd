package dev.hostguard.agent;

import jdk.internal.misc.Unsafe;

/**
 * Defines a class in the boot loader with the JDK's internal {@code Unsafe}, called directly: compiled on its own
 * with {@code --add-exports java.base/jdk.internal.misc} (agent/pom.xml), it links once {@link BootstrapInjector}
 * has had {@code jdk.internal.misc} exported to the agent. Called by reflection instead, on JDK 18 and later the
 * first call spins method-handle classes for the six-argument signature: some 40 classes and 0.9 MB of garbage at
 * start-up on JDK 25 (ARCHITECTURE.md, "Start-up").
 */
final class BootLoaderDefiner {
    private BootLoaderDefiner() {
    }

    static void define(String name, byte[] classFile) {
        Unsafe.getUnsafe().defineClass(name, classFile, 0, classFile.length, null, null);
    }
}

package dev.hostguard.agent.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The facade is defined by the boot loader, which sees only the JDK: it may link to nothing else. */
class BootstrapIsJdkOnlyTest {
    private static final List<String> FOREIGN = List.of("org/objectweb", "net/bytebuddy", "org/slf4j", "ch/qos", "com/fasterxml",
            "jakarta/", "javax/servlet");

    @Test
    void referencesOnlyTheJdkAndItself() throws Exception {
        Path dir = Path.of(Hooks.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/hostguard/agent/bootstrap");
        List<Path> classes;
        try (Stream<Path> files = Files.list(dir)) {
            classes = files.filter(f -> f.toString().endsWith(".class")).toList();
        }
        assertEquals(List.of("ContextCallable", "ContextRunnable", "HookHandler", "Hooks", "Hooks$1",
                        "HostGuardBlockedException", "RequestScope", "RuntimeConnections",
                        "RuntimeConnections$Table", "TaskContexts", "TaskContexts$Lookup",
                        "TaskContexts$WeakKey"),
                classes.stream().map(f -> f.getFileName().toString().replace(".class", "")).sorted().toList());
        for (Path c : classes) {
            String constants;
            try (InputStream in = Files.newInputStream(c)) {
                constants = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            }
            for (String foreign : FOREIGN) {
                assertFalse(constants.contains(foreign), c + " refers to " + foreign);
            }
            assertFalse(constants.replace("dev/hostguard/agent/bootstrap/", "").contains("dev/hostguard/"),
                    c + " refers to agent classes outside the boot loader");
        }
    }
}

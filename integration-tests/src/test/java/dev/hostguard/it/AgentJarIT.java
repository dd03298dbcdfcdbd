package dev.hostguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/** The shaded agent jar: nothing outside our own namespace (a host must never see our libraries), and a manifest
 * that makes it an agent that may retransform JDK classes. */
class AgentJarIT {

    @Test
    void containsOnlyOurOwnPackagesAndMetaInf() throws IOException {
        List<String> offenders = new ArrayList<>();
        int classes = 0;
        try (JarFile jar = new JarFile(BuiltArtifacts.agentJar().toFile())) {
            for (JarEntry entry : Collections.list(jar.entries())) {
                String name = entry.getName();
                if (name.endsWith(".class")) {
                    classes++;
                }
                boolean ours = name.startsWith("dev/hostguard/") || name.startsWith("META-INF/")
                        || (entry.isDirectory() && ("dev/".equals(name) || "dev/hostguard/".equals(name)));
                if (!ours) {
                    offenders.add(name);
                }
            }
        }
        assertTrue(classes > 0, "the agent jar has no classes");
        assertTrue(offenders.isEmpty(), offenders.size() + " entries outside dev/hostguard/** and META-INF/**:\n  "
                + String.join("\n  ", offenders.subList(0, Math.min(50, offenders.size())))
                + (offenders.size() > 50 ? "\n  ..." : ""));
    }

    @Test
    void manifestMakesItAnAgent() throws IOException {
        try (JarFile jar = new JarFile(BuiltArtifacts.agentJar().toFile())) {
            Manifest manifest = jar.getManifest();
            assertTrue(manifest != null, "the agent jar has no manifest");
            Attributes main = manifest.getMainAttributes();
            assertEquals("dev.hostguard.agent.cli.HostGuardCli", main.getValue("Main-Class"),
                    "java -jar runs the command line, never the agent");
            for (String attribute : List.of("Premain-Class", "Agent-Class", "Main-Class")) {
                String value = main.getValue(attribute);
                assertTrue(value != null && !value.isBlank(), attribute + " missing");
                assertTrue(value.startsWith("dev.hostguard."), attribute + " is not ours: " + value);
                String classFile = value.replace('.', '/') + ".class";
                assertTrue(jar.getEntry(classFile) != null, attribute + " names a class the jar lacks: " + classFile);
            }
            assertEquals("true", main.getValue("Can-Retransform-Classes"), "Can-Retransform-Classes");
            assertEquals("true", main.getValue("Can-Redefine-Classes"), "Can-Redefine-Classes");
        }
    }
}

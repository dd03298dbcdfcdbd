package dev.hostguard.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.hostguard.agent.bootstrap.Hooks;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class BootstrapInjectorTest {
    @Test
    void listsEveryClassOfTheBootstrapPackage() throws IOException, URISyntaxException {
        Path classes = Path.of(Hooks.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<String> compiled = new TreeSet<>();
        try (Stream<Path> files = Files.list(classes.resolve(BootstrapInjector.PACKAGE_PATH))) {
            files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".class"))
                    .forEach(n -> compiled.add(n.substring(0, n.length() - ".class".length())));
        }
        assertEquals(compiled, new TreeSet<>(BootstrapInjector.CLASSES),
                "BootstrapInjector.CLASSES must name exactly the compiled bootstrap package");
    }

    /** Each is defined on its own, so none may need another of them to be defined first. */
    @Test
    void noClassExtendsOrImplementsAnother() throws ClassNotFoundException {
        String prefix = BootstrapInjector.PACKAGE_PATH.replace('/', '.');
        for (String name : BootstrapInjector.CLASSES) {
            Class<?> type = Class.forName(prefix + name);
            List<Class<?>> supers = new ArrayList<>(List.of(type.getInterfaces()));
            if (type.getSuperclass() != null) {
                supers.add(type.getSuperclass());
            }
            for (Class<?> s : supers) {
                assertFalse(s.getName().startsWith(prefix), name + " extends or implements " + s.getName());
            }
        }
    }
}

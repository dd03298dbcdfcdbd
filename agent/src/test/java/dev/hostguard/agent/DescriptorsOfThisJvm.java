package dev.hostguard.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * This JVM's open descriptors that name given files, read from {@code /proc/self/fd}: a test proves that a refused
 * open left no descriptor behind by asking for the file's names, not by counting all descriptors, a count the JVM's
 * own threads change while the test runs.
 */
final class DescriptorsOfThisJvm {
    private DescriptorsOfThisJvm() {
    }

    /** Entries {@code "<fd> -> <path>"} of the descriptors open on one of {@code paths}; empty when none is. */
    static List<String> naming(Object... paths) throws IOException {
        Set<String> wanted = Stream.of(paths).map(String::valueOf).collect(java.util.stream.Collectors.toSet());
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(fd -> {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    return wanted.contains(target.toString()) ? fd.getFileName() + " -> " + target : null;
                } catch (IOException closedWhileListed) {
                    return null;
                }
            }).filter(Objects::nonNull).toList();
        }
    }
}

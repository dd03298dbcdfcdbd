package dev.hostguard.agent.policy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Where the executable of a command lives, found as the JDK finds it: a bare name on this JVM's PATH. */
public final class Executables {
    private Executables() {
    }

    /**
     * @return the absolute, normalised path of the executable; a bare name not found on the PATH stays as given
     */
    public static String resolve(String executable, String workingDirectory) {
        try {
            if (executable.indexOf('/') >= 0) {
                Path path = Path.of(executable);
                if (!path.isAbsolute() && workingDirectory != null) {
                    path = Path.of(workingDirectory).resolve(path);
                }
                return path.normalize().toString();
            }
            // The JDK's Unix process launcher searches the parent's PATH, never the child's environment.
            String searchPath = System.getenv("PATH");
            if (searchPath != null) {
                for (String dir : searchPath.split(File.pathSeparator)) {
                    Path candidate = Path.of(dir.isEmpty() ? "." : dir, executable);
                    if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                        return candidate.toAbsolutePath().normalize().toString();
                    }
                }
            }
        } catch (InvalidPathException ignored) {
            // a name no file can have: stays as given, and matches only a glob written for it
        }
        return executable;
    }
}

package dev.hostguard.agent.path;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns a path as a file operation received it into the forms the rules look at ({@link ResolvedPath}).
 *
 * <p>Runs inside the file-open hooks, so it never opens a file (only {@code realpath}, {@code lstat} and
 * {@code readlink}), never caches a canonical form (a symlink planted earlier in the same request must be seen)
 * and never throws. Thread-safe: it holds nothing but the working directory.
 */
public final class PathResolver {
    /** The {@code openat} descriptor that means "relative to the working directory". */
    public static final int AT_FDCWD = -100;

    private static final String OWN_DESCRIPTORS = "/proc/self/fd/";

    private final String workingDirectory;

    /** @param workingDirectory the JVM's working directory ({@code user.dir}), for relative paths */
    public PathResolver(String workingDirectory) {
        this.workingDirectory = LexicalPath.normalise("/", workingDirectory == null ? "" : workingDirectory);
    }

    /** The working directory relative paths are resolved against, normalised. */
    public String workingDirectory() {
        return workingDirectory;
    }

    /**
     * Resolves a path given relative to the working directory (or absolute). Never throws; on any I/O problem
     * canonical falls back to absolute. A {@code null} path is taken as the empty path.
     */
    public ResolvedPath resolve(String path) {
        return resolveFrom(workingDirectory, path == null ? "" : path);
    }

    /**
     * Resolves a path given relative to an open directory descriptor ({@code openat}): the directory is found
     * through {@code /proc/self/fd/<fd>}; {@link #AT_FDCWD} means the working directory, and an absolute path
     * ignores the descriptor, as {@code openat} does.
     *
     * <p>When the descriptor names no directory we can read (closed, or {@code /proc} is not mounted) the path is
     * spelled through the descriptor's magic link, {@code /proc/self/fd/<fd>/<path>}, with {@code ..} unable to
     * climb above it: what cannot be seen is treated as sensitive rather than as harmless.
     */
    public ResolvedPath resolveAt(int directoryFd, String path) {
        String given = path == null ? "" : path;
        if (directoryFd == AT_FDCWD || given.startsWith("/")) {
            return resolveFrom(workingDirectory, given);
        }
        String directory = directoryOf(directoryFd);
        if (directory != null) {
            return resolveFrom(directory, given);
        }
        String below = LexicalPath.normalise("/", given);
        String absolute = OWN_DESCRIPTORS + directoryFd + (below.equals("/") ? "" : below);
        return new ResolvedPath(given, absolute, absolute);
    }

    private static ResolvedPath resolveFrom(String base, String given) {
        String absolute = LexicalPath.normalise(base, given);
        return new ResolvedPath(given, absolute, Canonicaliser.canonical(LexicalPath.join(base, given), absolute));
    }

    /** The directory an open descriptor points at, or {@code null}: one {@code readlink}, nothing opened. */
    private static String directoryOf(int fd) {
        if (fd < 0) {
            return null;
        }
        try {
            String target = Files.readSymbolicLink(Path.of(OWN_DESCRIPTORS + fd)).toString();
            return target.startsWith("/") ? LexicalPath.normalise("/", target) : null;
        } catch (Exception unreadable) {
            return null;
        }
    }
}

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

    /**
     * The path made absolute and normalised, as spelled: no file-system access, so links are not seen (the caller
     * judges what the kernel then opens). {@code null} for a relative path given relative to an open directory,
     * which only that descriptor can name. Allocates nothing for a path that is already absolute and normal, the
     * common case.
     */
    public String lexical(int directoryFd, String path) {
        String given = path == null ? "" : path;
        if (isNormalAbsolute(given)) {
            return given;
        }
        if (given.startsWith("/") || directoryFd == AT_FDCWD) {
            return LexicalPath.normalise(workingDirectory, given);
        }
        return null;
    }

    /** Whether {@code path} is absolute with no empty, {@code .} or {@code ..} component and no trailing slash. */
    static boolean isNormalAbsolute(String path) {
        int n = path.length();
        if (n == 0 || path.charAt(0) != '/') {
            return false;
        }
        if (n == 1) {
            return true;
        }
        int from = 1;
        while (from <= n) {
            int slash = path.indexOf('/', from);
            int to = slash < 0 ? n : slash;
            int length = to - from;
            if (length == 0 || path.charAt(from) == '.' && (length == 1 || length == 2 && path.charAt(from + 1) == '.')) {
                return false;
            }
            from = to + 1;
        }
        return true;
    }

    /**
     * Resolves a name itself, not what a symbolic link there points to ({@code lstat} semantics): what the kernel
     * removes, renames or links when it is given this path ({@code unlink}, {@code rename}, {@code link},
     * {@code mkdir}, {@code symlink}, {@code lchown}). The directory it lives in is canonical (links on the way are
     * followed, as the kernel follows them), the last name is kept as spelled. A path whose last name is
     * {@code .} or {@code ..} (or none) is resolved as {@link #resolveAt}.
     */
    public ResolvedPath resolveEntryAt(int directoryFd, String path) {
        String given = path == null ? "" : path;
        int end = given.length();
        while (end > 1 && given.charAt(end - 1) == '/') {
            end--; // rmdir("dir/") removes dir
        }
        int slash = given.lastIndexOf('/', end - 1);
        String leaf = given.substring(slash + 1, end);
        if (leaf.isEmpty() || leaf.equals(".") || leaf.equals("..")) {
            return resolveAt(directoryFd, given);
        }
        ResolvedPath directory = resolveAt(directoryFd, slash < 0 ? "" : slash == 0 ? "/" : given.substring(0, slash));
        return new ResolvedPath(given, LexicalPath.join(directory.absolute(), leaf),
                LexicalPath.join(directory.canonical(), leaf));
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

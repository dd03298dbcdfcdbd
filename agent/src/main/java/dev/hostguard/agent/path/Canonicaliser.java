package dev.hostguard.agent.path;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * Finds the canonical form of a path without opening anything: the hooks sit on file opens, so an open in here
 * would be judged by the guard it serves. Only {@code realpath(3)} ({@link Path#toRealPath}), {@code lstat} and
 * {@code readlink} are used. Nothing is cached: a link planted a moment ago must be seen now.
 *
 * <p>An existing path goes through {@code realpath}; a missing one whose directory resolves to itself needs one
 * more {@code lstat} (is the leaf a dangling link?). Otherwise (a link on the way, a missing directory, one that
 * cannot be searched) the path is walked one component at a time, as the kernel walks it, so that a dangling
 * link is still followed to the file an {@code O_CREAT} open would create, and the {@code /proc} magic links
 * are kept rather than followed.
 */
final class Canonicaliser {
    /** Linux gives up after 40 links ({@code MAXSYMLINKS}); so does the walk. */
    private static final int MAX_LINKS = 40;

    /**
     * The {@code /proc/<pid>} links whose target may be in another mount namespace: {@code readlink} answers
     * with a path as seen from there (often plain {@code /}), so following it would name the wrong file.
     */
    private static final Set<String> OPAQUE_PROC_LINKS = Set.of("root", "cwd", "exe", "map_files");

    private static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private Canonicaliser() {
    }

    /**
     * @param joined the path as the kernel would walk it (absolute, dots and links intact)
     * @param absolute the lexical form of the same path, returned whenever nothing better can be known
     */
    static String canonical(String joined, String absolute) {
        if (joined.indexOf('\0') >= 0) {
            return absolute; // no such file can be opened, and Path refuses the name
        }
        try {
            // File.exists is one stat that answers false without an exception; NIO reports a missing file
            // with one, whose stack trace costs more than the stat and realpath together
            if (new File(joined).exists()) {
                try {
                    String real = Path.of(joined).toRealPath().toString();
                    if (real.equals(absolute)) {
                        return absolute; // the common case: no link anywhere
                    }
                    if (throughWellKnownLinksOnly(absolute, real)) {
                        return real;
                    }
                } catch (IOException raced) {
                    // removed meanwhile, or a directory that cannot be searched: the walk finds how far it resolves
                }
            } else if (isMissingLeaf(joined, absolute)) {
                return absolute; // a file about to be created in a link-free directory
            }
            String walked = walk(joined);
            return walked == null ? absolute : walked;
        } catch (RuntimeException unexpected) {
            return absolute; // an unmappable name, a security manager: never fail the caller's open here
        }
    }

    /**
     * True when {@code realpath}'s answer is what the walk would find, because the only links on the way are
     * {@code /var/run} (a link to {@code /run}) or {@code /proc/self} and {@code /proc/thread-self} with no
     * magic link below (procfs has no other links in a process directory). Saves the walk on paths services
     * read inside requests, such as {@code /proc/self/stat} and {@code /proc/self/cgroup}.
     */
    private static boolean throughWellKnownLinksOnly(String absolute, String real) {
        if (absolute.equals("/var/run") || absolute.startsWith("/var/run/")) {
            return real.equals(absolute.substring("/var".length()));
        }
        String rest;
        if (absolute.startsWith("/proc/self")) {
            rest = absolute.substring("/proc/self".length());
        } else if (absolute.startsWith("/proc/thread-self")) {
            rest = absolute.substring("/proc/thread-self".length());
        } else {
            return false;
        }
        if (!rest.isEmpty() && rest.charAt(0) != '/' || !real.startsWith("/proc/")) {
            return false;
        }
        for (String name : rest.split("/")) {
            if (name.equals("fd") || OPAQUE_PROC_LINKS.contains(name)) {
                return false;
            }
        }
        return true;
    }

    /**
     * True when only the last component is missing, it is not a dangling link, and its directory resolves to
     * itself: then the path is its own canonical form, found with two more native calls instead of a walk.
     */
    private static boolean isMissingLeaf(String joined, String absolute) {
        int cut = joined.lastIndexOf('/');
        String leaf = joined.substring(cut + 1);
        if (leaf.isEmpty() || leaf.equals(".") || leaf.equals("..")) {
            return false;
        }
        int absoluteCut = absolute.lastIndexOf('/');
        String absoluteParent = absoluteCut == 0 ? "/" : absolute.substring(0, absoluteCut);
        String parent = cut == 0 ? "/" : joined.substring(0, cut);
        try {
            if (!Path.of(parent).toRealPath().toString().equals(absoluteParent)) {
                return false;
            }
        } catch (IOException parentUnresolved) {
            return false;
        }
        try {
            Files.readAttributes(Path.of(absolute), BasicFileAttributes.class, NO_FOLLOW);
            return false; // it is there after all (a dangling link, or created meanwhile): walk it
        } catch (NoSuchFileException leafMissing) {
            return true;
        } catch (IOException other) {
            return false;
        }
    }

    /**
     * Resolves {@code joined} component by component. Returns {@code null} when the path goes through a
     * descriptor that names no file ({@code /proc/<pid>/fd/<n>} reading {@code pipe:[…]}, {@code socket:[…]}).
     */
    private static String walk(String joined) {
        Deque<String> pending = new ArrayDeque<>();
        pushFront(pending, joined);
        StringBuilder real = new StringBuilder(joined.length() + 16); // empty means "/"
        boolean following = true;
        int links = 0;
        while (!pending.isEmpty()) {
            String name = pending.pollFirst();
            if (name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                int cut = real.lastIndexOf("/");
                real.setLength(Math.max(cut, 0));
                continue;
            }
            int directoryEnd = real.length();
            real.append('/').append(name);
            if (!following) {
                continue; // below a missing or unreadable component: the rest as spelled
            }
            if (OPAQUE_PROC_LINKS.contains(name) && ProcNames.isProcessDirectory(directoryOf(real, directoryEnd))) {
                following = false;
                continue;
            }
            Path here = Path.of(real.toString());
            String target;
            try {
                if (!Files.readAttributes(here, BasicFileAttributes.class, NO_FOLLOW).isSymbolicLink()) {
                    continue;
                }
                target = Files.readSymbolicLink(here).toString();
            } catch (IOException missingOrDenied) {
                following = false;
                continue;
            }
            if (++links > MAX_LINKS) {
                following = false;
                continue;
            }
            if (target.startsWith("/")) {
                real.setLength(0);
            } else {
                String directory = directoryOf(real, directoryEnd);
                if (directory.endsWith("/fd")
                        && ProcNames.isProcessDirectory(directory.substring(0, directory.length() - 3))) {
                    return null; // an open pipe or socket: no path to follow
                }
                real.setLength(directoryEnd); // a relative target starts in the link's directory
            }
            pushFront(pending, target);
        }
        return real.length() == 0 ? "/" : real.toString();
    }

    private static String directoryOf(StringBuilder real, int directoryEnd) {
        return directoryEnd == 0 ? "/" : real.substring(0, directoryEnd);
    }

    /** Puts the components of {@code path} in front of {@code pending}, in order. */
    private static void pushFront(Deque<String> pending, String path) {
        int to = path.length();
        while (to >= 0) {
            int slash = path.lastIndexOf('/', to - 1);
            if (to - slash - 1 > 0) {
                pending.addFirst(path.substring(slash + 1, to));
            }
            if (slash < 0) {
                break;
            }
            to = slash;
        }
    }
}

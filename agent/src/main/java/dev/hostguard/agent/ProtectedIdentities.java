package dev.hostguard.agent;

import dev.hostguard.agent.policy.FileAccess;
import dev.hostguard.agent.policy.PathRules;
import dev.hostguard.agent.policy.Rule;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The protected regular files known by identity (device and inode), so that a hard link to one under a harmless
 * name ({@code ln /etc/shadow /tmp/notes}: the link's path is its own, no rule names it) is judged as the file it
 * is. Only a regular file with more than one name can be such a link, so only those are looked up
 * ({@link OpenDescriptors#linkedRegularFile}), and a lookup that finds nothing costs one hash probe.
 *
 * <p>Built once per policy, on the first lookup (not at start-up): the concrete files the path rules for one access
 * name ({@code /etc/shadow}), and the regular files below their directory rules ({@code /root/**},
 * {@code /home/*}{@code /.ssh/**}, a prefix rule's directory; {@code *} components and {@code name*} prefixes
 * expanded by listing). <b>Bounded</b>: at most {@link #MAX_FILES} files in all, {@link #MAX_DEPTH} directory levels
 * below a rule's directory, symbolic links not followed while walking; {@code /proc}, {@code /sys} and {@code /dev}
 * are not walked (pseudo file systems: nothing there can be hard linked from an ordinary directory, and
 * {@code /proc}'s files are judged by name, which the kernel reports for them). A protected file created after the
 * walk, or beyond the bound, is judged by its names only. Immutable and thread-safe once built.
 */
final class ProtectedIdentities {
    /** At most this many protected files are remembered, over every rule (about 100 bytes each). */
    static final int MAX_FILES = 20_000;
    /** Directory levels walked below a rule's directory. */
    static final int MAX_DEPTH = 8;

    /** A protected file: the rule that names it and its path. */
    record Protected(Rule rule, String path) {
    }

    private record Key(long dev, long ino) {
    }

    private final Map<Key, Protected> files;
    private final boolean truncated;

    private ProtectedIdentities(Map<Key, Protected> files, boolean truncated) {
        this.files = files;
        this.truncated = truncated;
    }

    /** The protected regular files for {@code access}, walked now (see the class comment for the bounds). */
    static ProtectedIdentities of(PathRules rules, FileAccess access) {
        Walk walk = new Walk();
        for (PathRules.PathPattern pattern : rules.pathPatterns()) {
            if (!pattern.accesses().contains(access)) {
                continue;
            }
            String text = pattern.pattern();
            if (text.equals("/proc") || text.startsWith("/proc/") || text.equals("/sys") || text.startsWith("/sys/")
                    || text.equals("/dev") || text.startsWith("/dev/") || text.contains("<pid>")) {
                continue;
            }
            List<String> components = new ArrayList<>();
            for (String c : text.substring(1).split("/")) {
                if (!c.isEmpty()) {
                    components.add(c);
                }
            }
            walk.expand(Path.of("/"), components, 0, pattern.rule());
        }
        return new ProtectedIdentities(Map.copyOf(walk.files), walk.truncated);
    }

    /** The protected file with this identity, or {@code null}. */
    Protected find(long dev, long ino) {
        return files.isEmpty() ? null : files.get(new Key(dev, ino));
    }

    int size() {
        return files.size();
    }

    /** Whether the bound cut the walk short ({@link #MAX_FILES}). */
    boolean truncated() {
        return truncated;
    }

    private static final class Walk {
        final Map<Key, Protected> files = new HashMap<>();
        boolean truncated;

        /** Follows {@code components} from {@code at}, expanding {@code *}, {@code name*} and a final {@code **}. */
        void expand(Path at, List<String> components, int index, Rule rule) {
            if (full()) {
                return;
            }
            if (index == components.size()) {
                add(at, rule, false);
                return;
            }
            String name = components.get(index);
            if (name.equals("**") && index == components.size() - 1) {
                add(at, rule, false);
                below(at, rule, 0);
                return;
            }
            if (name.indexOf('*') < 0) {
                expand(at.resolve(name), components, index + 1, rule);
                return;
            }
            String prefix = name.equals("*") ? "" : name.substring(0, name.length() - 1);
            boolean last = index == components.size() - 1;
            try (DirectoryStream<Path> children = Files.newDirectoryStream(at)) {
                for (Path child : children) {
                    if (full()) {
                        return;
                    }
                    if (child.getFileName().toString().startsWith(prefix)) {
                        if (last && !name.equals("*")) { // name*: the child and everything below it
                            add(child, rule, false);
                            below(child, rule, 0);
                        } else {
                            expand(child, components, index + 1, rule);
                        }
                    }
                }
            } catch (IOException | RuntimeException unreadable) {
                // missing or unreadable: nothing there to protect by identity
            }
        }

        private void below(Path directory, Rule rule, int depth) {
            if (depth >= MAX_DEPTH || full()) {
                return;
            }
            try (DirectoryStream<Path> children = Files.newDirectoryStream(directory)) {
                for (Path child : children) {
                    if (full()) {
                        return;
                    }
                    if (add(child, rule, true)) {
                        below(child, rule, depth + 1);
                    }
                }
            } catch (IOException | RuntimeException unreadable) {
                // not a directory, or unreadable
            }
        }

        /** @return whether {@code path} is a directory to walk (never through a link while walking) */
        private boolean add(Path path, Rule rule, boolean walking) {
            try {
                BasicFileAttributes basic = walking
                        ? Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                        : Files.readAttributes(path, BasicFileAttributes.class);
                if (basic.isDirectory()) {
                    return true;
                }
                if (!basic.isRegularFile()) {
                    return false;
                }
                Map<String, Object> unix = walking
                        ? Files.readAttributes(path, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS)
                        : Files.readAttributes(path, "unix:dev,ino");
                files.putIfAbsent(new Key((Long) unix.get("dev"), (Long) unix.get("ino")),
                        new Protected(rule, path.toRealPath().toString()));
                return false;
            } catch (IOException | RuntimeException missing) {
                return false;
            }
        }

        private boolean full() {
            if (files.size() >= MAX_FILES) {
                truncated = true;
                return true;
            }
            return false;
        }
    }
}

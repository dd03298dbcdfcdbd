package dev.hostguard.agent.posture;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads {@code /proc/<pid>/mountinfo}. A line is
 * {@code id parent major:minor root mountpoint options [optional fields...] - fstype source superoptions}
 * (proc(5)); the optional fields ({@code shared:1}, {@code master:2}, ...) run up to the lone {@code -}.
 */
public final class MountInfo {
    /** id, parent, major:minor, root, mount point, options: the fields before the optional ones. */
    private static final int FIXED_FIELDS = 6;

    private MountInfo() {
    }

    /**
     * Parses mountinfo lines (octal escapes like {@code \040} decoded; optional fields up to the "-" separator).
     * A malformed line is skipped, never fatal: a bad line must never stop the host service.
     */
    public static List<Mount> parse(List<String> lines) {
        List<Mount> mounts = new ArrayList<>(lines.size());
        for (String line : lines) {
            Mount mount = line == null ? null : parseLine(line);
            if (mount != null) {
                mounts.add(mount);
            }
        }
        return List.copyOf(mounts);
    }

    /**
     * Reads and parses a mountinfo file; an empty list on any I/O error. Read as bytes and decoded leniently rather
     * than with {@code Files.readAllLines}, which throws on the first name that is not UTF-8 and so would lose every
     * mount for one odd directory name.
     */
    public static List<Mount> read(Path mountinfo) {
        try {
            String text = new String(readAll(mountinfo), StandardCharsets.UTF_8);
            return parse(Arrays.asList(text.split("\n")));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /**
     * The whole file, to its end (procfs reports a size of 0). Through {@code FileInputStream}, which every JVM has
     * loaded, not {@code Files.readAllBytes}: at start-up that would load NIO's file channels (a dozen classes) and
     * weave the hooked {@code UnixChannelFactory} before the service's first line of code.
     */
    static byte[] readAll(Path file) throws IOException {
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            return in.readAllBytes();
        }
    }

    /** One line, or null when it is not a well-formed mountinfo line. */
    static Mount parseLine(String line) {
        // Split on single spaces, not on runs: the kernel escapes every space inside a field, and an empty source
        // field (two spaces in a row) must stay a field of its own.
        String[] fields = (line.endsWith("\r") ? line.substring(0, line.length() - 1) : line).split(" ", -1);
        int separator = separatorIndex(fields);
        // after the separator: fstype, source and (on every kernel since 2.6.26) the super options
        if (separator < 0 || fields.length < separator + 3 || fields.length > separator + 4) {
            return null;
        }
        try {
            int id = Integer.parseInt(fields[0]);
            int parentId = Integer.parseInt(fields[1]);
            if (!isDevice(fields[2]) || fields[4].isEmpty() || fields[separator + 1].isEmpty()) {
                return null;
            }
            String superOptions = fields.length == separator + 4 ? fields[separator + 3] : "";
            return new Mount(id, parentId, OctalEscapes.decode(fields[3]), OctalEscapes.decode(fields[4]),
                    options(fields[5]), OctalEscapes.decode(fields[separator + 1]),
                    OctalEscapes.decode(fields[separator + 2]), options(superOptions));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The index of the lone "-" that ends the optional fields, or -1. */
    private static int separatorIndex(String[] fields) {
        for (int i = FIXED_FIELDS; i < fields.length; i++) {
            if ("-".equals(fields[i])) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> options(String field) {
        if (field.isEmpty()) {
            return List.of();
        }
        List<String> options = new ArrayList<>();
        for (String option : field.split(",")) {
            options.add(OctalEscapes.decode(option));
        }
        return options;
    }

    /** {@code major:minor}, both decimal (no regex: start-up path). */
    private static boolean isDevice(String field) {
        int colon = field.indexOf(':');
        return colon > 0 && colon < field.length() - 1 && isDigits(field, 0, colon)
                && isDigits(field, colon + 1, field.length());
    }

    private static boolean isDigits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}

package dev.hostguard.agent.instrument;

import dev.hostguard.agent.AgentClassFiles;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.bytebuddy.jar.asm.ClassReader;

/**
 * JDK classes as {@link HookWeaver} wove them when the agent jar was built, one entry per class and JDK build
 * ({@code dev/hostguard/agent/woven/<JDK>/<class>.woven}, written by {@link WovenJdkClassesBuilder}). Weaving is a
 * function of the class file the JVM hands over, the sites and the running JDK: where all three are those of an
 * entry (the class file compared byte for byte but for its methods' order, {@link MethodOrder}; the sites by name;
 * the JDK by vendor, version and architecture), the woven class file Byte Buddy made then is the one it would make
 * now. Replaying it keeps Byte Buddy, its some 560 classes, its allocation and the JIT's work on it out of a
 * start-up whose hooked classes are all in the jar: the JDK classes the JVM loaded before the agent and those the
 * service loads early. Any difference (another JDK build, another agent's changes to the class file first, a JVM
 * that verifies boot classes, a damaged entry) is a miss, and Byte Buddy weaves as before.
 * The entries are in the agent jar itself, as trusted as the agent's code: nothing is read from a place the service
 * could write.
 *
 * <p>An entry: {@code int} magic, {@code int} variants, then per variant the sites' names, the class file handed
 * over, the woven one and what was hooked (site name and method); a variant per form the JVM hands a class in (its
 * file from the runtime image as it loads, or the file the JVM reconstitutes for a class loaded before the agent).
 */
final class WovenJdkClasses {
    static final String FOLDER = "dev/hostguard/agent/woven/";
    static final String SUFFIX = ".woven";
    private static final String SELF_TEST = "required-sites-missing";
    private static final String PRESENT = "present";
    private static final String ABSENT = "absent";
    private static final int MAGIC = 0x48475731; // "HGW1"

    /** The running JDK's folder of entries: its vendor, version and architecture, as a path segment. */
    private static final String JDK = jdkKey(System.getProperty("java.vm.vendor"),
            System.getProperty("java.runtime.version"), System.getProperty("os.arch"));

    private WovenJdkClasses() {
    }

    /**
     * The self-test as the build ran it on the running JDK ({@code HookInstaller}): by JDK class (binary name), the
     * required sites that found no method, {@code null} for a class this JDK does not have; {@code null} when the
     * build did not see this JDK. One line per class: its name, {@code present} or {@code absent}, the sites.
     */
    static Map<String, List<String>> requiredSitesMissing() {
        try {
            byte[] text = AgentClassFiles.agent().read(selfTestName());
            return text == null ? null : parseSelfTest(new String(text, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException unreadable) {
            return null;
        }
    }

    static Map<String, List<String>> parseSelfTest(String text) {
        Map<String, List<String>> byType = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] words = line.split(" ");
            if (words.length < 2 || !words[1].equals(PRESENT) && !words[1].equals(ABSENT)) {
                throw new IllegalArgumentException("not a self-test line: " + line);
            }
            byType.put(words[0], words[1].equals(ABSENT) ? null
                    : List.of(Arrays.copyOfRange(words, 2, words.length)));
        }
        return byType;
    }

    /** A line of {@link #requiredSitesMissing()}: {@code sites} {@code null} for a class this JDK lacks. */
    static String selfTestLine(String type, List<String> sites) {
        return sites == null ? type + " " + ABSENT : (type + " " + PRESENT + " " + String.join(" ", sites)).trim();
    }

    /** The name in the agent jar of the build's self-test of the running JDK. */
    static String selfTestName() {
        return FOLDER + JDK + "/" + SELF_TEST;
    }

    /** The running JDK as entries name it. */
    static String runningJdk() {
        return JDK;
    }

    static String jdkKey(String vendor, String version, String arch) {
        String key = vendor + "_" + version + "_" + arch;
        StringBuilder safe = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            safe.append(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.'
                    || c == '-' || c == '+' ? c : '_');
        }
        return safe.toString();
    }

    /** The entry's name in the agent jar for {@code className} (internal name) on the running JDK. */
    static String entryName(String className) {
        return FOLDER + JDK + "/" + className + SUFFIX;
    }

    /**
     * The weaving of {@code classFile} with {@code sites} as the build recorded it on this JDK, or {@code null}:
     * no entry, or none for these bytes and sites, or an entry we cannot read (then Byte Buddy weaves).
     *
     * @param className internal name
     */
    static HookWeaver.Result find(String className, byte[] classFile, List<HookSite> sites) {
        try {
            byte[] entry = AgentClassFiles.agent().read(entryName(className));
            return entry == null ? null : find(entry, className, classFile, sites);
        } catch (IOException unreadable) {
            return null;
        }
    }

    static HookWeaver.Result find(byte[] entry, String className, byte[] classFile, List<HookSite> sites) {
        try {
            return variant(new Cursor(entry), className, classFile, sites);
        } catch (RuntimeException damaged) {
            return null;
        }
    }

    private static HookWeaver.Result variant(Cursor in, String className, byte[] classFile, List<HookSite> sites) {
        byte[] entry = in.bytes;
        if (in.readInt() != MAGIC) {
            return null;
        }
        byte[] siteNames = siteNames(sites).getBytes(StandardCharsets.UTF_8); // once, for every variant
        for (int variants = in.readInt(); variants > 0; variants--) {
            boolean sameSites = in.matchesString(siteNames);
            int inputLength = in.readInt();
            boolean sameInput = sameSites && in.matchesClassFile(classFile, inputLength);
            in.skip(inputLength);
            int outputLength = in.readInt();
            int output = in.position;
            in.skip(outputLength);
            int hookedCount = in.readInt();
            List<HookWeaver.Hooked> hooked = new ArrayList<>(hookedCount);
            for (int i = 0; i < hookedCount; i++) {
                String siteName = in.readString();
                String method = in.readString();
                if (sameInput) {
                    HookSite site = site(sites, siteName);
                    if (site == null) {
                        return null;
                    }
                    hooked.add(new HookWeaver.Hooked(site, method));
                }
            }
            if (sameInput) {
                return new HookWeaver.Result(className.replace('/', '.'),
                        Arrays.copyOfRange(entry, output, output + outputLength), List.copyOf(hooked));
            }
        }
        return null;
    }

    /** An entry of the variants given, each the class file handed over and what {@link HookWeaver} made of it. */
    static byte[] entry(List<byte[]> inputs, List<HookWeaver.Result> results, List<HookSite> sites)
            throws IOException {
        return entry(null, inputs, results, sites);
    }

    /** As {@link #entry(List, List, List)}, after the variants of an {@code existing} entry ({@code null}: none). */
    static byte[] entry(byte[] existing, List<byte[]> inputs, List<HookWeaver.Result> results, List<HookSite> sites)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        if (existing == null) {
            out.writeInt(inputs.size());
        } else {
            Cursor in = new Cursor(existing);
            if (in.readInt() != MAGIC) {
                throw new IOException("not an entry of woven classes");
            }
            out.writeInt(in.readInt() + inputs.size());
            out.write(existing, in.position, existing.length - in.position);
        }
        for (int i = 0; i < inputs.size(); i++) {
            writeString(out, siteNames(sites));
            out.writeInt(inputs.get(i).length);
            out.write(inputs.get(i));
            byte[] woven = results.get(i).classFile();
            out.writeInt(woven.length);
            out.write(woven);
            out.writeInt(results.get(i).hooked().size());
            for (HookWeaver.Hooked h : results.get(i).hooked()) {
                writeString(out, h.site().name());
                writeString(out, h.method());
            }
        }
        out.flush();
        return bytes.toByteArray();
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String siteNames(List<HookSite> sites) {
        StringBuilder names = new StringBuilder();
        for (HookSite site : sites) {
            names.append(site.name()).append('\n');
        }
        return names.toString();
    }

    private static HookSite site(List<HookSite> sites, String name) {
        for (HookSite site : sites) {
            if (site.name().equals(name)) {
                return site;
            }
        }
        return null;
    }

    /**
     * Class files that differ at most in the order of their methods. The JVM reconstitutes the class file of a class
     * loaded before the agent from what it keeps of it, its methods in the order of its own method table, which
     * for a class not mapped from the CDS archive changes from run to run (on JDK 25 the agent's own read of the
     * environment loads {@code ProcessImpl} that way). Methods in another order are the same class to weave.
     */
    static final class MethodOrder {
        private MethodOrder() {
        }

        /** Whether {@code stored[offset..]} and {@code classFile} (as long) differ only in their methods' order. */
        static boolean onlyDifference(byte[] stored, int offset, byte[] classFile) {
            int length = classFile.length;
            int[] a = methodRanges(new ClassReader(stored, offset, length), offset);
            int[] b = methodRanges(new ClassReader(classFile), 0);
            if (a.length != b.length || a[0] != b[0] || a[1] != b[1]
                    || !Arrays.equals(stored, offset, offset + a[0], classFile, 0, b[0])
                    || !Arrays.equals(stored, offset + a[1], offset + length, classFile, b[1], length)) {
                return false;
            }
            boolean[] paired = new boolean[b.length / 2];
            for (int i = 2; i < a.length; i += 2) {
                int j = 2;
                while (j < b.length && (paired[j / 2] || a[i + 1] - a[i] != b[j + 1] - b[j]
                        || !Arrays.equals(stored, offset + a[i], offset + a[i + 1], classFile, b[j], b[j + 1]))) {
                    j += 2;
                }
                if (j == b.length) {
                    return false;
                }
                paired[j / 2] = true;
            }
            return true;
        }

        /**
         * Where the methods are, relative to the class file's start: the start of the method table (its count) and
         * its end, then each method's start and end.
         */
        static int[] methodRanges(ClassReader reader, int offset) {
            int at = reader.header + 6; // access flags, this and super class
            at += 2 + 2 * reader.readUnsignedShort(at); // interfaces
            int fields = reader.readUnsignedShort(at);
            at += 2;
            for (int i = 0; i < fields; i++) {
                at = memberEnd(reader, at);
            }
            int methods = reader.readUnsignedShort(at);
            int[] ranges = new int[2 + 2 * methods];
            ranges[0] = at - offset;
            at += 2;
            for (int i = 0; i < methods; i++) {
                ranges[2 + 2 * i] = at - offset;
                at = memberEnd(reader, at);
                ranges[3 + 2 * i] = at - offset;
            }
            ranges[1] = at - offset;
            return ranges;
        }

        /** The end of a field or method: flags, name, descriptor, then its attributes. */
        private static int memberEnd(ClassReader reader, int at) {
            int attributes = reader.readUnsignedShort(at + 6);
            at += 8;
            for (int i = 0; i < attributes; i++) {
                at += 6 + reader.readInt(at + 2);
            }
            return at;
        }
    }

    /** Reads an entry in place (a damaged one throws, which {@link #find} takes for a miss). */
    private static final class Cursor {
        private final byte[] bytes;
        private int position;

        Cursor(byte[] bytes) {
            this.bytes = bytes;
        }

        int readInt() {
            if (position + 4 > bytes.length) {
                throw new IllegalStateException("truncated entry");
            }
            int value = (bytes[position] & 0xff) << 24 | (bytes[position + 1] & 0xff) << 16
                    | (bytes[position + 2] & 0xff) << 8 | bytes[position + 3] & 0xff;
            position += 4;
            return value;
        }

        void skip(int length) {
            if (length < 0 || position + length > bytes.length) {
                throw new IllegalStateException("truncated entry");
            }
            position += length;
        }

        /** Whether the next {@code length} bytes are {@code other}'s (the position does not move). */
        boolean matches(byte[] other, int length) {
            return length == other.length && position + length <= bytes.length
                    && Arrays.equals(bytes, position, position + length, other, 0, length);
        }

        /** As {@link #matches}, or the same class file but for the order of its methods ({@link MethodOrder}). */
        boolean matchesClassFile(byte[] classFile, int length) {
            return matches(classFile, length) || length == classFile.length && position + length <= bytes.length
                    && MethodOrder.onlyDifference(bytes, position, classFile);
        }

        /** Whether the next string is {@code utf8}'s (the position moves past it). */
        boolean matchesString(byte[] utf8) {
            int length = readInt();
            boolean same = matches(utf8, length);
            skip(length);
            return same;
        }

        String readString() {
            int length = readInt();
            int start = position;
            skip(length);
            return new String(bytes, start, length, StandardCharsets.UTF_8);
        }
    }
}

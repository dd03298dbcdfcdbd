package dev.hostguard.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.pool.TypePool;
import org.junit.jupiter.api.Test;

/**
 * No entry point left out, proven per JDK (issue 18, item 5): every native method of the running JDK's image, read
 * through {@code jrt:/} with the class-file reader the agent ships (Byte Buddy's ASM), has a verdict in
 * {@code jdk-natives.txt} beside this class, and the verdicts that claim a hook are checked against the hooks.
 *
 * <ul>
 *   <li>{@code hooked: Site, ...} or {@code through: Site, ...}: each site is a registered site of
 *       {@link HookInstaller#targets()}, and every call path to the native inside the image (the callers of the
 *       native and, upwards, of each caller, following overrides of super types' methods and lambdas) meets a method
 *       one of the sites hooks before it meets a method that code outside the JDK can call without
 *       {@code --add-opens}/{@code --add-exports} (public or protected, of a public class, in a package its module
 *       exports to all). {@code hooked} names the wrapper just above the native, {@code through} a Java method further
 *       up.</li>
 *   <li>{@code pending: #N}: a hook another branch of issue N adds; accepted only while N is in {@link #OPEN_ISSUES}
 *       (the lead turns each line into {@code hooked: Site} when the branch merges).</li>
 *   <li>{@code internal}: the same walk finds no path at all from code outside the JDK (without
 *       {@code --add-opens}/{@code --add-exports}).</li>
 *   <li>{@code no-name}, {@code descriptor}, {@code flag}, {@code gap}: not a hook, with the reason: no effect on a
 *       file, directory, socket, process or native code named by the caller (a query, memory, this JVM's own
 *       state); I/O on a descriptor judged where it was opened or connected; reachable only with a start-up option;
 *       a way around the guard that is not covered (README, "Not covered").</li>
 * </ul>
 *
 * A {@code hooked}/{@code through} line may add {@code ; safe: class.method, ...}: JDK methods a path may end in
 * instead of a site, for a reason the line gives (a move that opens a directory only to learn it is empty). The walk
 * over-approximates (a call to a super type's method counts as a call to every override in the same module), so a
 * path it reports may be one no caller can take: say so with {@code safe}, never by dropping the check.
 *
 * A native of this JDK without a verdict fails the test by name; a verdict whose JDK range covers this JDK but whose
 * native this JDK lacks fails too (narrow the range, or drop the line: the table shrinks with the JDK). The list of
 * every native seen, with its verdict, is printed and written to {@code target/jdk-natives-<version>.txt}.
 */
class JdkNativesCompletenessTest {
    /** Issues whose hooks are on other branches: their {@code pending} verdicts are accepted until they merge. */
    static final Set<Integer> OPEN_ISSUES = Set.of(18);

    private static final int FEATURE = Runtime.version().feature();

    @Test
    void everyNativeOfThisJdkHasAVerdictAndEveryHookVerdictHolds() throws IOException {
        List<Verdict> table = Verdict.readTable();
        Image image = Image.read();
        List<String> failures = new ArrayList<>();
        Map<Verdict, Integer> used = new HashMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        StringBuilder seen = new StringBuilder();
        Hooks hooks = new Hooks();
        for (NativeMethod n : image.natives) {
            Verdict v = Verdict.of(table, n);
            if (v == null) {
                failures.add("no verdict for " + n + " (add a line to jdk-natives.txt)");
                seen.append(n).append("  -> NO VERDICT\n");
                continue;
            }
            used.merge(v, 1, Integer::sum);
            counts.merge(v.kind, 1, Integer::sum);
            seen.append(n).append("  -> ").append(v.kind).append(v.sites.isEmpty() ? "" : ": " + String.join(", ", v.sites))
                    .append(v.reason.isEmpty() ? "" : "  (" + v.reason + ")").append('\n');
            switch (v.kind) {
                case "hooked", "through", "internal" -> failures.addAll(hooks.check(image, n, v));
                case "pending" -> {
                    if (!OPEN_ISSUES.contains(v.issue)) {
                        failures.add(n + " is still 'pending: #" + v.issue + "' though #" + v.issue
                                + " is no longer open: give it its hook");
                    }
                }
                default -> { }
            }
        }
        for (Verdict v : table) {
            if (v.covers(FEATURE) && !used.containsKey(v)) {
                failures.add("jdk-natives.txt line " + v.line + " (" + v.target + ", JDK " + v.range
                        + ") names no native of JDK " + Runtime.version() + ": narrow its range or drop it");
            }
        }
        String summary = "JDK " + Runtime.version() + ": " + image.natives.size() + " natives in " + image.classes.size()
                + " classes of " + image.modules + " modules; verdicts " + counts;
        System.out.println(summary);
        System.out.print(seen);
        Path out = Path.of(System.getProperty("basedir", "."), "target", "jdk-natives-" + Runtime.version() + ".txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, summary + "\n" + seen, StandardCharsets.UTF_8);
        assertTrue(failures.isEmpty(), failures.size() + " problems on JDK " + Runtime.version() + ":\n"
                + String.join("\n", failures));
    }

    /** A native method of the image. */
    record NativeMethod(String module, String owner, String name, String descriptor, int access) {
        String className() {
            return owner.replace('/', '.');
        }

        @Override
        public String toString() {
            return module + "/" + className() + "." + name + descriptor;
        }
    }

    /** One line of the table: {@code range | target | verdict | reason}. */
    static final class Verdict {
        final int line;
        final String range;
        final int from;
        final int to;
        final String target;
        final String kind;
        final List<String> sites;
        /** JDK methods ({@code class.method}) a hook's call paths may end in instead of a site: the reason says why */
        final Set<String> safe;
        final int issue;
        final String reason;

        private Verdict(int line, String range, String target, String verdict, String reason) {
            this.line = line;
            this.range = range;
            String[] bounds = range.split("-", -1);
            this.from = Integer.parseInt(bounds[0]);
            this.to = bounds.length == 1 ? from : bounds[1].isEmpty() ? Integer.MAX_VALUE : Integer.parseInt(bounds[1]);
            this.target = target;
            int colon = verdict.indexOf(':');
            this.kind = colon < 0 ? verdict : verdict.substring(0, colon).trim();
            String args = colon < 0 ? "" : verdict.substring(colon + 1).trim();
            List<String> named = new ArrayList<>();
            Set<String> stops = new HashSet<>();
            int semicolon = args.indexOf(';');
            if (semicolon >= 0) {
                String rest = args.substring(semicolon + 1).trim();
                if (!rest.startsWith("safe:")) {
                    throw new IllegalArgumentException("jdk-natives.txt line " + line + ": '; safe: class.method, ...'");
                }
                for (String m : rest.substring(5).split(",")) {
                    stops.add(m.trim());
                }
                args = args.substring(0, semicolon).trim();
            }
            this.safe = Set.copyOf(stops);
            int number = 0;
            if (kind.equals("pending")) {
                number = Integer.parseInt(args.replace("#", "").trim());
            } else if (!args.isEmpty()) {
                for (String s : args.split(",")) {
                    named.add(s.trim());
                }
            }
            this.sites = List.copyOf(named);
            this.issue = number;
            this.reason = reason;
            if (!Set.of("hooked", "through", "pending", "no-name", "descriptor", "internal", "flag", "gap")
                    .contains(kind)) {
                throw new IllegalArgumentException("jdk-natives.txt line " + line + ": unknown verdict " + kind);
            }
            if (!safe.isEmpty() && reason.isEmpty()) {
                throw new IllegalArgumentException("jdk-natives.txt line " + line + ": say why the safe methods are");
            }
            if ((kind.equals("hooked") || kind.equals("through")) == sites.isEmpty()) {
                throw new IllegalArgumentException("jdk-natives.txt line " + line + ": hooked/through name sites, "
                        + "the others none");
            }
            if (!kind.equals("hooked") && !kind.equals("through") && !kind.equals("pending") && reason.isEmpty()) {
                throw new IllegalArgumentException("jdk-natives.txt line " + line + ": a reason is required");
            }
        }

        boolean covers(int feature) {
            return from <= feature && feature <= to;
        }

        /** Exact names first, then {@code *.method}, then a class's {@code Class.*}, then a module's {@code module/*}. */
        static Verdict of(List<Verdict> table, NativeMethod n) {
            Verdict anyClass = null;
            Verdict byClass = null;
            Verdict byModule = null;
            for (Verdict v : table) {
                if (!v.covers(FEATURE)) {
                    continue;
                }
                if (v.target.equals(n.className() + "." + n.name())
                        || v.target.equals(n.className() + "." + n.name() + n.descriptor())) {
                    return v;
                }
                if (v.target.equals("*." + n.name())) {
                    anyClass = v;
                } else if (v.target.equals(n.className() + ".*")) {
                    byClass = v;
                } else if (v.target.equals(n.module() + "/*")) {
                    byModule = v;
                }
            }
            return anyClass != null ? anyClass : byClass != null ? byClass : byModule;
        }

        static List<Verdict> readTable() throws IOException {
            List<Verdict> table = new ArrayList<>();
            try (InputStream in = JdkNativesCompletenessTest.class.getResourceAsStream("jdk-natives.txt");
                 BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String text;
                int number = 0;
                Map<String, String> lastReason = new HashMap<>(); // by verdict kind, for the ditto mark
                while ((text = lines.readLine()) != null) {
                    number++;
                    if (text.isBlank() || text.startsWith("#")) {
                        continue;
                    }
                    String[] f = text.split("\\|", 4);
                    if (f.length < 3) {
                        throw new IllegalArgumentException("jdk-natives.txt line " + number + ": " + text);
                    }
                    String reason = f.length == 4 ? f[3].trim() : "";
                    String kind = f[2].split(":")[0].trim();
                    if (reason.startsWith("\"")) { // ditto: the reason of the line above of this verdict, and the rest
                        reason = (lastReason.getOrDefault(kind, "") + " " + reason.substring(1).trim()).trim();
                    } else if (!reason.isEmpty()) {
                        lastReason.put(kind, reason);
                    }
                    table.add(new Verdict(number, f[0].trim(), f[1].trim(), f[2].trim(), reason));
                }
            }
            return table;
        }
    }

    /** What the image's class files say: natives, class headers and, for the call paths, every call site. */
    static final class Image {
        final List<NativeMethod> natives = new ArrayList<>();
        final Map<String, Type> classes = new HashMap<>();
        /** callee ({@code owner.name descriptor}) -> the methods that call it or take a handle to it */
        final Map<String, List<String>> callers = new HashMap<>();
        final Map<String, List<String>> subTypes = new HashMap<>();
        int modules;

        record Type(String module, String name, int access, String superName, String[] interfaces,
                    Map<String, Integer> methods) {
        }

        static Image read() throws IOException {
            Image image = new Image();
            FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
            Map<String, String> interned = new HashMap<>();
            try (DirectoryStream<Path> modules = Files.newDirectoryStream(jrt.getPath("/modules"))) {
                for (Path module : modules) {
                    image.modules++;
                    String name = module.getFileName().toString();
                    try (Stream<Path> files = Files.walk(module)) {
                        for (Path file : (Iterable<Path>) files::iterator) {
                            String f = file.toString();
                            if (f.endsWith(".class") && !f.endsWith("module-info.class")) {
                                image.read(name, Files.readAllBytes(file), interned);
                            }
                        }
                    }
                }
            }
            for (Type t : image.classes.values()) {
                if (t.superName != null) {
                    image.subTypes.computeIfAbsent(t.superName, k -> new ArrayList<>()).add(t.name);
                }
                for (String i : t.interfaces) {
                    image.subTypes.computeIfAbsent(i, k -> new ArrayList<>()).add(t.name);
                }
            }
            image.natives.sort((a, b) -> a.toString().compareTo(b.toString()));
            return image;
        }

        private void read(String module, byte[] classFile, Map<String, String> interned) {
            new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
                private String owner;
                private final Map<String, Integer> methods = new HashMap<>();

                @Override
                public void visit(int version, int access, String name, String signature, String superName,
                                  String[] interfaces) {
                    owner = name;
                    classes.put(name, new Type(module, name, access, superName, interfaces, methods));
                }

                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                                 String[] exceptions) {
                    methods.put(name + descriptor, access);
                    if ((access & Opcodes.ACC_NATIVE) != 0) {
                        natives.add(new NativeMethod(module, owner, name, descriptor, access));
                        return null;
                    }
                    String caller = intern(owner + "." + name + descriptor);
                    return new MethodVisitor(Opcodes.ASM9) {
                        @Override
                        public void visitMethodInsn(int opcode, String calleeOwner, String calleeName,
                                                    String calleeDescriptor, boolean isInterface) {
                            call(calleeOwner, calleeName, calleeDescriptor);
                        }

                        @Override
                        public void visitInvokeDynamicInsn(String indyName, String indyDescriptor, Handle bootstrap,
                                                           Object... arguments) {
                            for (Object argument : arguments) {
                                if (argument instanceof Handle h) {
                                    call(h.getOwner(), h.getName(), h.getDesc());
                                }
                            }
                        }

                        @Override
                        public void visitLdcInsn(Object value) {
                            if (value instanceof Handle h) {
                                call(h.getOwner(), h.getName(), h.getDesc());
                            }
                        }

                        private void call(String calleeOwner, String calleeName, String calleeDescriptor) {
                            callers.computeIfAbsent(intern(calleeOwner + "." + calleeName + calleeDescriptor),
                                    k -> new ArrayList<>(2)).add(caller);
                        }
                    };
                }

                private String intern(String s) {
                    String known = interned.putIfAbsent(s, s);
                    return known == null ? s : known;
                }
            }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        }

        /** The class of {@code owner.name descriptor}. */
        static String ownerOf(String method) {
            return method.substring(0, method.lastIndexOf('.', method.indexOf('(')));
        }

        static String memberOf(String method) {
            return method.substring(method.lastIndexOf('.', method.indexOf('(')) + 1);
        }

        /** Super types of {@code type}, transitively (those in the image). */
        Set<String> superTypes(String type) {
            Set<String> all = new HashSet<>();
            Deque<String> todo = new ArrayDeque<>(List.of(type));
            while (!todo.isEmpty()) {
                Type t = classes.get(todo.pop());
                if (t == null) {
                    continue;
                }
                if (t.superName != null && all.add(t.superName)) {
                    todo.push(t.superName);
                }
                for (String i : t.interfaces) {
                    if (all.add(i)) {
                        todo.push(i);
                    }
                }
            }
            return all;
        }

        Set<String> allSubTypes(String type) {
            Set<String> all = new HashSet<>();
            Deque<String> todo = new ArrayDeque<>(List.of(type));
            while (!todo.isEmpty()) {
                for (String s : subTypes.getOrDefault(todo.pop(), List.of())) {
                    if (all.add(s)) {
                        todo.push(s);
                    }
                }
            }
            return all;
        }

        /** The access flags the image declares {@code method} with, or -1. */
        int access(String method) {
            Type t = classes.get(ownerOf(method));
            Integer a = t == null ? null : t.methods.get(memberOf(method));
            return a == null ? -1 : a;
        }
    }

    /** Checks {@code hooked} and {@code through} verdicts against {@link HookInstaller#targets()} and the call paths. */
    static final class Hooks {
        private final Map<String, HookSite> sitesByName = new HashMap<>();
        private final Map<HookSite, String> typeOfSite = new HashMap<>();
        private final TypePool jdk = HookWeaver.classFiles(null);
        private final Map<String, ModuleDescriptor> descriptors = new HashMap<>();

        Hooks() {
            for (HookTarget target : HookInstaller.targets()) {
                if (target.exactType() == null) {
                    continue; // sub types of a server's or application's type: never a JDK class
                }
                // JDK targets, and those by exact name of JDK classes only some JDKs have (the FFM API's, 22+)
                for (HookSite site : target.sites()) {
                    sitesByName.put(site.name(), site);
                    typeOfSite.put(site, target.exactType().replace('.', '/'));
                }
            }
            for (var reference : ModuleFinder.ofSystem().findAll()) {
                descriptors.put(reference.descriptor().name(), reference.descriptor());
            }
        }

        List<String> check(Image image, NativeMethod n, Verdict v) {
            List<String> problems = new ArrayList<>();
            List<HookSite> sites = new ArrayList<>(); // none for internal: no path may reach a door
            for (String name : v.sites) {
                HookSite site = sitesByName.get(name);
                if (site == null) {
                    problems.add(n + ": '" + name + "' is no JDK hook site of HookInstaller.targets()");
                } else {
                    sites.add(site);
                }
            }
            if (!problems.isEmpty()) {
                return problems;
            }
            List<String> doors = openDoors(image, n, sites, v.safe);
            for (String door : doors) {
                problems.add(n + " (" + v.kind + (v.sites.isEmpty() ? "" : ": " + String.join(", ", v.sites))
                        + ") is reached from outside the JDK" + (v.sites.isEmpty() ? "" : " unhooked") + ": " + door);
            }
            return problems;
        }

        /**
         * Call paths from a method callable from outside the JDK down to the native that meet none of {@code sites}
         * (at most three, each as {@code door <- ... <- native}).
         */
        private List<String> openDoors(Image image, NativeMethod n, List<HookSite> sites, Set<String> safe) {
            List<String> doors = new ArrayList<>();
            String start = n.owner() + "." + n.name() + n.descriptor();
            Map<String, String> via = new LinkedHashMap<>(); // method -> the method it calls on the way down
            Deque<String> todo = new ArrayDeque<>();
            via.put(start, null);
            if (isDoor(image, start)) {
                doors.add(path(via, start));
            }
            todo.add(start);
            while (!todo.isEmpty() && doors.size() < 3) {
                String method = todo.poll();
                for (String caller : callersOf(image, method)) {
                    if (via.containsKey(caller)) {
                        continue;
                    }
                    via.put(caller, method);
                    if (hookedBy(image, caller, sites) || safe.contains(
                            Image.ownerOf(caller).replace('/', '.') + "." + Image.memberOf(caller).split("\\(")[0])) {
                        continue;
                    }
                    if (isDoor(image, caller)) {
                        doors.add(path(via, caller));
                        continue;
                    }
                    todo.add(caller);
                }
            }
            return doors;
        }

        /** Direct callers, and the callers of the super types' and sub types' methods it overrides or inherits. */
        private List<String> callersOf(Image image, String method) {
            List<String> all = new ArrayList<>(image.callers.getOrDefault(method, List.of()));
            String owner = Image.ownerOf(method);
            String member = Image.memberOf(method);
            int access = image.access(method);
            boolean virtual = access >= 0 && (access & (Opcodes.ACC_STATIC | Opcodes.ACC_PRIVATE)) == 0
                    && !member.startsWith("<");
            if (virtual) {
                String module = image.classes.get(owner).module();
                for (String type : image.superTypes(owner)) {
                    String overridden = type + "." + member;
                    // an override of another module's method (Object.toString, Runnable.run) is reached only by
                    // code holding an instance of this class, which it gets from this module: not followed
                    if (image.access(overridden) >= 0 && image.classes.get(type).module().equals(module)) {
                        all.add(overridden); // reached as the super type's method: judged as a node of its own
                    }
                }
                for (String type : image.allSubTypes(owner)) {
                    all.addAll(image.callers.getOrDefault(type + "." + member, List.of()));
                }
            }
            return all;
        }

        private boolean hookedBy(Image image, String method, List<HookSite> sites) {
            String owner = Image.ownerOf(method);
            String member = Image.memberOf(method);
            int paren = member.indexOf('(');
            String name = member.substring(0, paren);
            for (HookSite site : sites) {
                if (!typeOfSite.get(site).equals(owner) || !site.method().equals(name)) {
                    continue;
                }
                TypeDescription type = jdk.describe(owner.replace('/', '.')).resolve();
                if (site.matches(ClassFileMethods.describe(type, jdk, image.access(method), name,
                        member.substring(paren)))) {
                    return true;
                }
            }
            return false;
        }

        /** Public or protected, in a public class of a package its module exports to everyone. */
        private boolean isDoor(Image image, String method) {
            Image.Type type = image.classes.get(Image.ownerOf(method));
            int access = image.access(method);
            if (type == null || access < 0 || (type.access() & Opcodes.ACC_PUBLIC) == 0
                    || (access & (Opcodes.ACC_PUBLIC | Opcodes.ACC_PROTECTED)) == 0) {
                return false;
            }
            String name = type.name();
            String pkg = name.contains("/") ? name.substring(0, name.lastIndexOf('/')).replace('/', '.') : "";
            ModuleDescriptor module = descriptors.get(type.module());
            if (module == null) {
                return false;
            }
            if (module.isOpen()) {
                return true;
            }
            for (ModuleDescriptor.Exports e : module.exports()) {
                if (e.source().equals(pkg) && !e.isQualified()) {
                    return true;
                }
            }
            return false;
        }

        private static String path(Map<String, String> via, String door) {
            StringBuilder path = new StringBuilder();
            for (String m = door; m != null; m = via.get(m)) {
                if (path.length() > 0) {
                    path.append(" -> ");
                }
                path.append(m.replace('/', '.'));
            }
            return path.toString();
        }
    }
}

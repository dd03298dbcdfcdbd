package dev.hostguard.agent.instrument;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.pool.TypePool;

/**
 * Writes the {@link WovenJdkClasses} entries of the JDK it runs on into a folder, which the agent's build puts in
 * the agent jar: run once per JDK the build machine has (agent/pom.xml). Never part of the agent's start-up.
 *
 * <p>Each JDK class hooked by name is woven by {@link HookWeaver}, the code the transformer runs on a miss, in both
 * forms a JVM hands it to the transformer: the class file of the runtime image (a class loaded after the agent),
 * and the one the JVM reconstitutes from a loaded class (a class loaded before it: the {@code java.io} streams, the
 * file system provider). For the second, every target is loaded (not initialised) before Byte Buddy's agent attaches
 * to this JVM, and a retransformation with a transformer that changes nothing reads what the JVM hands over. What the
 * JVM reconstitutes depends on class-data sharing (on JDK 17 a class mapped from the CDS archive keeps its stack map
 * tables, one parsed at start-up does not), so the build runs this twice per JDK, with and without
 * {@code -Xshare:off}; a second run adds to the entries the forms they lack.
 */
public final class WovenJdkClassesBuilder {
    private WovenJdkClassesBuilder() {
    }

    /** @param args the folder to write into ({@code <folder>/dev/hostguard/agent/woven/<JDK>/...}) */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: WovenJdkClassesBuilder <output folder>");
            System.exit(2);
        }
        Path folder = Path.of(args[0]);
        List<HookTarget> targets = HookInstaller.targets();
        HookTransformer transformer = new HookTransformer(targets, null, null, null);
        Map<String, Class<?>> classes = loadedJdkTargets(targets);
        Map<String, byte[]> reconstituted = reconstituted(classes, ByteBuddyAgent.install());
        HookWeaver weaver = new HookWeaver();
        int added = 0;
        for (Map.Entry<String, Class<?>> e : classes.entrySet()) {
            String name = e.getKey();
            ClassLoader loader = e.getValue().getClassLoader();
            List<HookSite> sites = transformer.sites(name, loader, null);
            Path entry = folder.resolve(WovenJdkClasses.entryName(name));
            byte[] existing = Files.exists(entry) ? Files.readAllBytes(entry) : null;
            List<byte[]> inputs = new ArrayList<>(2);
            List<HookWeaver.Result> results = new ArrayList<>(2);
            byte[] image = HookInstaller.InstallReport.jdkClassFile(name.replace('/', '.'));
            for (byte[] input : forms(image, reconstituted.get(name))) {
                if (existing != null && WovenJdkClasses.find(existing, name, input, sites) != null) {
                    continue; // an earlier run (with the other class-data sharing setting) has this form
                }
                HookWeaver.Result result = weaver.weave(name.replace('/', '.'), loader, input, sites);
                if (result.classFile() != null) {
                    inputs.add(input);
                    results.add(result);
                }
            }
            if (!inputs.isEmpty()) {
                Files.createDirectories(entry.getParent());
                Files.write(entry, WovenJdkClasses.entry(existing, inputs, results, sites));
                added += inputs.size();
            }
        }
        Path selfTest = folder.resolve(WovenJdkClasses.selfTestName());
        Files.createDirectories(selfTest.getParent());
        Files.writeString(selfTest, selfTest(targets));
        System.out.println("[hostguard] woven JDK classes of " + WovenJdkClasses.runningJdk() + ": " + added
                + " forms added for the " + classes.size() + " hooked by name");
    }

    /** The self-test's reading of every JDK class with a required site, as {@link WovenJdkClasses} stores it. */
    private static String selfTest(List<HookTarget> targets) {
        TypePool jdk = HookWeaver.classFiles(null);
        Map<String, List<String>> byType = new TreeMap<>();
        for (HookTarget target : targets) {
            if (target.jdkType() != null && HookInstaller.InstallReport.hasRequiredSite(target)) {
                List<String> notFound = HookInstaller.InstallReport.requiredSitesMissing(target, jdk);
                if (notFound == null || !byType.containsKey(target.jdkType())) {
                    byType.put(target.jdkType(), notFound == null ? null : new ArrayList<>(notFound));
                } else {
                    byType.get(target.jdkType()).addAll(notFound);
                }
            }
        }
        StringBuilder lines = new StringBuilder();
        for (Map.Entry<String, List<String>> e : byType.entrySet()) {
            lines.append(WovenJdkClasses.selfTestLine(e.getKey(), e.getValue())).append('\n');
        }
        return lines.toString();
    }

    /** Every JDK class hooked by name that this JDK has, loaded without being initialised; by internal name. */
    private static Map<String, Class<?>> loadedJdkTargets(List<HookTarget> targets) {
        ClassLoader platform = ClassLoader.getPlatformClassLoader();
        Map<String, Class<?>> classes = new TreeMap<>();
        for (HookTarget target : targets) {
            if (target.exactType() == null) {
                continue;
            }
            try {
                Class<?> type = Class.forName(target.exactType(), false, platform);
                if (type.getClassLoader() == null || type.getClassLoader() == platform) {
                    classes.put(target.exactType().replace('.', '/'), type);
                }
            } catch (ClassNotFoundException | LinkageError notInThisJdk) {
                // a site for other JDK versions, or the servlet API (not the JDK's)
            }
        }
        return classes;
    }

    /** What the JVM hands a transformer that retransforms each of {@code classes}, all loaded before it. */
    private static Map<String, byte[]> reconstituted(Map<String, Class<?>> classes, Instrumentation instrumentation)
            throws Exception {
        Map<String, byte[]> handedOver = new HashMap<>();
        ClassFileTransformer capture = new ClassFileTransformer() {
            @Override
            public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                                    ProtectionDomain domain, byte[] classFile) {
                if (redefined != null && classes.containsKey(className)) {
                    handedOver.put(className, classFile.clone());
                }
                return null;
            }
        };
        List<Class<?>> modifiable = new ArrayList<>();
        for (Class<?> type : classes.values()) {
            if (instrumentation.isModifiableClass(type)) {
                modifiable.add(type);
            }
        }
        instrumentation.addTransformer(capture, true);
        try {
            instrumentation.retransformClasses(modifiable.toArray(new Class<?>[0]));
        } finally {
            instrumentation.removeTransformer(capture);
        }
        return handedOver;
    }

    /** The distinct forms, without {@code null}s. */
    private static List<byte[]> forms(byte[] image, byte[] reconstituted) {
        List<byte[]> forms = new ArrayList<>(2);
        if (image != null) {
            forms.add(image);
        }
        if (reconstituted != null && (image == null || !Arrays.equals(image, reconstituted))) {
            forms.add(reconstituted);
        }
        return forms;
    }
}

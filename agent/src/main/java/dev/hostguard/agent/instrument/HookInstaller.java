package dev.hostguard.agent.instrument;

import dev.hostguard.agent.HookInstallation;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.pool.TypePool;
import org.slf4j.Logger;

/**
 * Installs the hooks: registers the one {@link HookTransformer}, which hooks each target class as it loads, and
 * retransforms, in one call, the targets already loaded (the JDK's {@code java.io} streams and NIO dispatcher are
 * loaded before any agent starts). Target classes not loaded yet are left alone: loading them only to hook them
 * would cost the start-up and the service's memory for classes it may never use.
 *
 * <p>The self-test reads, without loading them, the class files of every JDK target from the running JDK and checks
 * that each required site finds its method there ({@link ClassFileMethods}), so a JDK whose shapes drifted is
 * reported a second after the first request ({@code SelfCheck}: off the start-up path), not at the first process
 * start.
 */
public final class HookInstaller {
    /** The JDK's and the servlet API's families; server libraries' are {@link LibraryFamilies}, loaded as needed. */
    static final List<HookFamily> FAMILIES = List.of(new ProcessStartHooks(), new FileOpenHooks(),
            new DirectoryListHooks(), new UnixSocketHooks(), new SocketIoHooks(), new NetworkConnectHooks(),
            new HandOverHooks(), new ServletHooks(), new JmsHooks(), new RabbitMqHooks(), new HttpServerHooks(), new NativeCodeHooks(),
            new FileChangeHooks(), new JvmDiagnosticsHooks(), new SelfProtectionHooks());

    private HookInstaller() {
    }

    /**
     * Registers the transformer: from now on every target class is hooked as it loads. Cheap (names only); the
     * classes already loaded are hooked by {@link Installation#hookLoaded}.
     */
    public static Installation register(Instrumentation instrumentation, Logger log) {
        InstallReport report = new InstallReport();
        List<HookTarget> targets = targets();
        HookTransformer transformer = new HookTransformer(targets, instrumentation, report, log);
        instrumentation.addTransformer(transformer, true);
        return new Installation(instrumentation, targets, transformer, report, log);
    }

    /** A registered transformer, and what is left to do: the classes loaded before it, and the self-test. */
    public static final class Installation implements HookInstallation {
        private final Instrumentation instrumentation;
        private final List<HookTarget> targets;
        private final HookTransformer transformer;
        private final InstallReport report;
        private final Logger log;

        private Installation(Instrumentation instrumentation, List<HookTarget> targets, HookTransformer transformer,
                             InstallReport report, Logger log) {
            this.instrumentation = instrumentation;
            this.targets = targets;
            this.transformer = transformer;
            this.report = report;
            this.log = log;
        }

        /**
         * Retransforms, in one call, the targets loaded before the transformer was registered (every class loaded
         * since was hooked as it loaded).
         */
        @Override
        public void hookLoaded() throws UnmodifiableClassException {
            retransform(transformer.hookedAmong(instrumentation.getAllLoadedClasses(), false));
        }

        @Override
        public void rehookAll() throws UnmodifiableClassException {
            retransform(transformer.hookedAmong(instrumentation.getAllLoadedClasses(), true));
        }

        private void retransform(List<Class<?>> classes) throws UnmodifiableClassException {
            if (!classes.isEmpty()) {
                instrumentation.retransformClasses(classes.toArray(new Class<?>[0]));
            }
        }

        /** The self-test (see the class comment). */
        @Override
        public Set<String> missingRequiredSites() {
            report.checkRequired(targets, log);
            return report.missing();
        }

        @Override
        public String jdkWeavingSources() {
            return transformer.jdkWeavingSources();
        }

        @Override
        public String hookedSites() {
            return report.toString();
        }
    }

    static List<HookTarget> targets() {
        List<HookTarget> targets = new ArrayList<>();
        for (HookFamily family : FAMILIES) {
            targets.addAll(family.targets());
        }
        return List.copyOf(targets);
    }

    /** Which hook sites were put on which methods, and which required ones this JDK lacks. */
    static final class InstallReport {
        private final Set<String> hooked = ConcurrentHashMap.newKeySet();
        private final Set<String> missing = new TreeSet<>();

        private final Set<String> wovenTypes = ConcurrentHashMap.newKeySet();

        void woven(HookWeaver.Result result) {
            for (HookWeaver.Hooked h : result.hooked()) {
                hooked.add(h.site().name() + " -> " + h.method());
            }
            // after its sites: checkRequired, on the start-up thread, may run while another thread weaves a class
            // (the service's main loading ScheduledThreadPoolExecutor), and a type seen woven must show all its sites
            wovenTypes.add(result.typeName());
        }

        /**
         * Checks every required JDK site against the running JDK: from what was hooked for the classes hooked
         * already; for the others, from what the agent's build found on this very JDK ({@link WovenJdkClasses}),
         * or else from their class files, which are read, not loaded.
         */
        void checkRequired(List<HookTarget> targets, Logger log) {
            Map<String, List<String>> build = WovenJdkClasses.requiredSitesMissing();
            TypePool jdk = null;
            for (HookTarget target : targets) {
                if (target.jdkType() == null || !hasRequiredSite(target)) {
                    continue; // nothing to check (a site only some JDKs have is the drift test's to check)
                }
                if (wovenTypes.contains(target.jdkType())) {
                    for (HookSite site : target.sites()) {
                        if (site.required() && !hookedSite(site)) {
                            missing.add(site.name());
                        }
                    }
                    continue;
                }
                List<String> notFound;
                if (build != null && build.containsKey(target.jdkType())) {
                    notFound = build.get(target.jdkType());
                } else {
                    jdk = jdk == null ? HookWeaver.classFiles(null) : jdk;
                    notFound = requiredSitesMissing(target, jdk);
                }
                if (notFound == null) {
                    log.info("{} is not in this JDK: nothing there to hook", target.jdkType());
                } else {
                    missing.addAll(notFound);
                }
            }
        }

        /**
         * The required sites of a JDK target that find no method in its class file on the running JDK (read, not
         * loaded); {@code null} when this JDK has no such class.
         */
        static List<String> requiredSitesMissing(HookTarget target, TypePool jdk) {
            byte[] classFile = jdkClassFile(target.jdkType());
            if (classFile == null) {
                return null;
            }
            List<MethodDescription.InDefinedShape> declared = ClassFileMethods.declared(target.jdkType(),
                    classFile, jdk, target.sites());
            List<String> notFound = new ArrayList<>();
            for (HookSite site : target.sites()) {
                if (site.required() && HookWeaver.methodsMatching(declared, site).isEmpty()) {
                    notFound.add(site.name());
                }
            }
            return notFound;
        }

        static boolean hasRequiredSite(HookTarget target) {
            for (HookSite site : target.sites()) {
                if (site.required()) {
                    return true;
                }
            }
            return false;
        }

        /**
         * A JDK class file, read from the runtime image (a {@code .class} resource is never encapsulated): what the
         * JVM hands a transformer for a class loaded after it.
         */
        static byte[] jdkClassFile(String type) {
            try (InputStream in = ClassLoader.getSystemResourceAsStream(type.replace('.', '/') + ".class")) {
                return in == null ? null : in.readAllBytes();
            } catch (IOException unreadable) {
                return null;
            }
        }

        private boolean hookedSite(HookSite site) {
            String prefix = site.name() + " -> ";
            for (String h : hooked) {
                if (h.startsWith(prefix)) {
                    return true;
                }
            }
            return false;
        }

        /** Required JDK sites found on no method of the running JDK. */
        Set<String> missing() {
            return missing;
        }

        /** The hooked sites by name, each once; classes join as they load. */
        @Override
        public String toString() {
            Set<String> sites = new TreeSet<>();
            for (String h : hooked) {
                sites.add(h.substring(0, h.indexOf(" -> ")));
            }
            return String.join(", ", sites);
        }
    }
}

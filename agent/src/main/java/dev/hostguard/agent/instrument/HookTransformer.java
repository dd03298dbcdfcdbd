package dev.hostguard.agent.instrument;

import dev.hostguard.agent.bootstrap.Hooks;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * The agent's one class-file transformer. For every class the JVM loads (or retransforms) it decides from names
 * alone whether the class is hooked: JDK and server-library targets by exact internal name in a hash table, servlet
 * and application classes by a read of the class file's header and its super types' ({@link SubTypeMatcher});
 * everything else returns at once, untouched. Only a hooked class reaches Byte Buddy ({@link HookWeaver}, created
 * on the first one), and not a JDK class the agent jar carries woven for the running JDK ({@link WovenJdkClasses}).
 * Our own failures never stop a class from loading: they are logged and the class loads unhooked.
 */
final class HookTransformer implements ClassFileTransformer {
    private static final String OWN_PACKAGE = "dev/hostguard/agent/";
    private static final String OWN_BINARY_PACKAGE = "dev.hostguard.agent.";

    /** JDK and server-library classes hooked by exact name (internal names); libraries' added as they load. */
    private final Map<String, List<HookTarget>> namedTargets = new ConcurrentHashMap<>();
    private final Set<String> namedTypes = new HashSet<>(); // binary names, for loaded classes; guarded by this
    private final Set<String> loadedFamilies = new HashSet<>(); // guarded by this
    /** By identity: a record's own hashCode is bootstrapped through java.lang.invoke, dozens of classes. */
    private final Map<HookTarget, SubTypeMatcher> subTypeTargets = new IdentityHashMap<>();
    private final ClassHeaders headers = new ClassHeaders();
    private final Instrumentation instrumentation;
    private final HookInstaller.InstallReport report;
    private final Logger log;
    private HookWeaver weaver; // guarded by this
    /**
     * JDK classes (boot and platform loaders) woven as they loaded, after this transformer was registered (internal names): the classes
     * the start-up retransforms are those loaded before it ({@link #hookedAmong}); one the service or the start-up
     * itself loaded since (the start-up thread runs beside the service's main) is hooked already, and a
     * retransformation would weave it a second time for nothing.
     */
    private final Set<String> wovenAtLoad = ConcurrentHashMap.newKeySet();
    /** JDK classes whose weaving the agent jar had ({@link WovenJdkClasses}), and those Byte Buddy wove here. */
    private final Set<String> fromBuild = ConcurrentHashMap.newKeySet();
    private final Set<String> byByteBuddy = ConcurrentHashMap.newKeySet();

    /** @param report told of every class woven */
    HookTransformer(List<HookTarget> targets, Instrumentation instrumentation, HookInstaller.InstallReport report,
                    Logger log) {
        for (HookTarget target : targets) {
            if (target.exactType() != null) {
                named(target);
            } else {
                subTypeTargets.put(target, new SubTypeMatcher(target.superTypes(), headers));
            }
        }
        this.instrumentation = instrumentation;
        this.report = report;
        this.log = log;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classFile) {
        if (className == null || className.startsWith(OWN_PACKAGE)) {
            return null;
        }
        try {
            List<HookSite> sites = sites(className, loader, classFile);
            if (sites.isEmpty()) {
                return null;
            }
            boolean jdkClass = isJdkLoader(loader);
            HookWeaver.Result result = jdkClass ? WovenJdkClasses.find(className, classFile, sites) : null;
            if (result != null) {
                fromBuild.add(className);
            } else {
                // One class at a time: Byte Buddy's classes initialising on two threads at once can deadlock on
                // each other's initialisers, and the service's main thread may load a target while the start-up
                // thread hooks others. Only hooked classes come here: a few dozen in a JVM's life.
                synchronized (this) {
                    result = weaver().weave(className.replace('/', '.'), loader, classFile, sites);
                }
                if (jdkClass) {
                    byByteBuddy.add(className);
                }
            }
            if (result.classFile() != null) {
                assureReadEdge(module);
            }
            if (classBeingRedefined == null && jdkClass) {
                wovenAtLoad.add(className);
            }
            report.woven(result);
            return result.classFile();
        } catch (Throwable t) {
            log.warn("could not hook {}: {}", className.replace('/', '.'), t.toString());
            return null;
        }
    }

    /** Adds a target by name; a list in the table is never changed once put (readers run unsynchronized). */
    private void named(HookTarget target) {
        String name = target.exactType().replace('.', '/');
        List<HookTarget> known = namedTargets.get(name);
        List<HookTarget> same = known == null ? new ArrayList<>(1) : new ArrayList<>(known);
        same.add(target);
        namedTargets.put(name, same);
        namedTypes.add(target.exactType());
    }

    /**
     * The targets of a server library's class, its family's loaded at the first class of the family that loads;
     * {@code null} when no family hooks it.
     */
    private synchronized List<HookTarget> libraryTargets(String className) {
        String family = LibraryFamilies.familyOf(className);
        if (family == null) {
            return null;
        }
        if (loadedFamilies.add(family)) {
            for (HookTarget target : LibraryFamilies.load(family).targets()) {
                named(target);
            }
        }
        return namedTargets.get(className);
    }

    /** The sites for a class, from its name and, for server classes, its class file; empty for nearly all. */
    List<HookSite> sites(String className, ClassLoader loader, byte[] classFile) {
        List<HookTarget> named = namedTargets.get(className);
        if (named == null && loader != null) {
            named = libraryTargets(className);
        }
        if (named != null) {
            return named.size() == 1 ? named.get(0).sites() : allSites(named);
        }
        if (loader == null) {
            return List.of();
        }
        List<HookTarget> matched = null;
        ClassHeaders.Pending header = new ClassHeaders.Pending(classFile); // parsed once, for every matcher
        for (Map.Entry<HookTarget, SubTypeMatcher> e : subTypeTargets.entrySet()) {
            if (e.getValue().matches(className, header, loader)) {
                matched = matched == null ? new ArrayList<>(2) : matched;
                matched.add(e.getKey());
            }
        }
        return matched == null ? List.of() : allSites(matched);
    }

    private static List<HookSite> allSites(List<HookTarget> targets) {
        List<HookSite> sites = new ArrayList<>();
        for (HookTarget target : targets) {
            sites.addAll(target.sites());
        }
        return sites;
    }

    /**
     * The already-loaded classes this transformer hooks: at start-up, to retransform at once, not those it wove as
     * they loaded ({@link #wovenAtLoad}); for the self-check's weaving again, all of them ({@code wovenAtLoadToo}).
     */
    synchronized List<Class<?>> hookedAmong(Class<?>[] loaded, boolean wovenAtLoadToo) {
        List<Class<?>> hooked = new ArrayList<>();
        for (Class<?> type : loaded) {
            if (!instrumentation.isModifiableClass(type) || type.isArray() || type.isPrimitive() || !wovenAtLoadToo
                    && isJdkLoader(type.getClassLoader()) && wovenAtLoad.contains(type.getName().replace('.', '/'))) {
                continue;
            }
            if (namedTypes.contains(type.getName()) || type.getClassLoader() != null
                    && LibraryFamilies.familyOf(type.getName().replace('.', '/')) != null
                    || type.getClassLoader() != null
                    && !type.getName().startsWith(OWN_BINARY_PACKAGE) && isSubTypeTarget(type)) {
                hooked.add(type);
            }
        }
        return hooked;
    }

    /** How the JDK classes hooked so far were woven: for the start-up's debug line and the tests. */
    String jdkWeavingSources() {
        return "from the agent jar " + new TreeSet<>(fromBuild) + ", by Byte Buddy "
                + new TreeSet<>(byByteBuddy);
    }

    /** The boot or platform loader: a JDK class, one of its name in the JVM. */
    private static boolean isJdkLoader(ClassLoader loader) {
        return loader == null || loader == ClassLoader.getPlatformClassLoader();
    }

    private boolean isSubTypeTarget(Class<?> type) {
        for (SubTypeMatcher matcher : subTypeTargets.values()) {
            if (matcher.matches(type)) {
                return true;
            }
        }
        return false;
    }

    /** Created at the first hooked class: before it, no class of Byte Buddy's is loaded. */
    private HookWeaver weaver() {
        if (weaver == null) {
            weaver = new HookWeaver();
        }
        return weaver;
    }

    /**
     * Advice inlined into a class of a named module (java.base, jdk.httpserver) calls {@link Hooks}, in the boot
     * loader's unnamed module, which a named module does not read until told to.
     */
    private void assureReadEdge(Module module) {
        Module facade = Hooks.class.getModule();
        if (module != null && module.isNamed() && !module.canRead(facade)) {
            instrumentation.redefineModule(module, Set.of(facade), Map.of(), Map.of(), Set.of(), Map.of());
        }
    }
}

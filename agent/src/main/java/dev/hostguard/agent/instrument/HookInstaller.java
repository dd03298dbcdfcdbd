package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

import dev.hostguard.agent.bootstrap.Hooks;
import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;
import org.slf4j.Logger;

/**
 * The one place that configures Byte Buddy. Instead of Byte Buddy's default (which hides every boot-loader
 * type), it matches an explicit list: the JDK types we hook by exact name, and the server types by their
 * servlet super types ({@link SubTypeMatcher}); our own and Byte Buddy's classes are never touched.
 */
public final class HookInstaller {
    static final List<HookFamily> FAMILIES = List.of(new ProcessStartHooks(), new FileOpenHooks(),
            new DirectoryListHooks(), new UnixSocketHooks(), new HandOverHooks(), new ServletHooks(),
            new HttpServerHooks());

    private HookInstaller() {
    }

    /** Installs every hook and returns what the self-test found. */
    public static InstallReport install(Instrumentation instrumentation, Logger log) {
        InstallReport report = new InstallReport();
        Set<String> absent = loadJdkTargets(log);
        // Byte Buddy's Nexus (for live initialisers, which we never use) would reach for sun.misc.Unsafe, which
        // JDK 24+ warns about on the service's standard error. The property name is our relocated copy's own.
        System.setProperty(net.bytebuddy.dynamic.Nexus.PROPERTY, "true");
        AgentBuilder builder = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.TypeStrategy.Default.DECORATE)
                .with(new ProblemListener(log))
                .assureReadEdgeTo(instrumentation, Hooks.class)
                .ignore(nameStartsWith("dev.hostguard.agent.").or(nameStartsWith("net.bytebuddy.")));
        for (HookTarget target : targets()) {
            List<Wrapper> wrappers = target.sites().stream()
                    .map(site -> new Wrapper(site, Advice.to(site.advice())))
                    .toList();
            builder = builder.type(target.types()).transform((b, type, loader, module, domain) -> {
                DynamicType.Builder<?> result = b;
                for (Wrapper w : wrappers) {
                    result = result.visit(w.on(type, report));
                }
                return result;
            });
        }
        builder.installOn(instrumentation);
        report.checkRequired(targets(), absent);
        return report;
    }

    /** Advice for one site, recording each method it is put on. */
    private record Wrapper(HookSite site, Advice advice) {
        AsmVisitorWrapper on(TypeDescription type, InstallReport report) {
            return advice.on(method -> {
                boolean matches = site.methods().matches(method);
                if (matches) {
                    report.hooked(site, type.getName() + "." + method.getInternalName());
                }
                return matches;
            });
        }
    }

    static List<HookTarget> targets() {
        return FAMILIES.stream().flatMap(f -> f.targets().stream()).toList();
    }

    /**
     * Loads (without initialising) the JDK classes the hooks need, so they are transformed at start-up and the
     * self-test can check them, rather than at first use.
     *
     * @return the JDK classes this JDK does not have (a runtime image without {@code jdk.httpserver}, say)
     */
    private static Set<String> loadJdkTargets(Logger log) {
        Set<String> absent = new TreeSet<>();
        for (HookTarget target : targets()) {
            String name = target.jdkType();
            if (name == null) {
                continue;
            }
            try {
                Class.forName(name, false, ClassLoader.getSystemClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                log.info("{} is not in this JDK: nothing there to hook", name);
                absent.add(name);
            }
        }
        return absent;
    }

    /** Logs what Byte Buddy could not transform; nothing here ever stops the host service. */
    private static final class ProblemListener extends AgentBuilder.Listener.Adapter {
        private final Logger log;

        ProblemListener(Logger log) {
            this.log = log;
        }

        @Override
        public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded,
                            Throwable throwable) {
            log.warn("could not hook {}: {}", typeName, throwable.toString());
        }
    }

    /** Which hook sites were put on which methods. */
    public static final class InstallReport {
        private final Set<String> hooked = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final Set<String> missing = new TreeSet<>();

        void hooked(HookSite site, String method) {
            hooked.add(site.name() + " -> " + method);
        }

        void checkRequired(List<HookTarget> targets, Set<String> absentTypes) {
            for (HookTarget target : targets) {
                if (target.jdkType() == null || absentTypes.contains(target.jdkType())) {
                    continue;
                }
                for (HookSite site : target.sites()) {
                    if (site.required() && hooked.stream().noneMatch(h -> h.startsWith(site.name() + " -> "))) {
                        missing.add(site.name());
                    }
                }
            }
        }

        /** Every method hooked so far ({@code site -> Type.method}); server classes join as they load. */
        public Set<String> hooked() {
            return new TreeSet<>(hooked);
        }

        /** Required JDK sites found on no method of the running JDK. */
        public Set<String> missing() {
            return missing;
        }

        /** The hooked sites by name, each once; server classes join as they load. */
        @Override
        public String toString() {
            return hooked.stream().map(h -> h.substring(0, h.indexOf(" -> "))).sorted().distinct()
                    .collect(Collectors.joining(", "));
        }
    }
}

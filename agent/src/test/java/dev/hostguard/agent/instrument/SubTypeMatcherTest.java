package dev.hostguard.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class SubTypeMatcherTest {
    private final SubTypeMatcher matcher = new SubTypeMatcher(Set.of("jakarta.servlet.Servlet", "jakarta.servlet.Filter"),
            new ClassHeaders());

    abstract static class BaseServlet extends HttpServlet {
    }

    static class DeepServlet extends BaseServlet {
    }

    interface AuditingFilter extends Filter {
    }

    static class MyFilter implements AuditingFilter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) {
        }
    }

    static class Unrelated implements Runnable {
        @Override
        public void run() {
        }
    }

    /** As the transformer asks, from the class file; and as for a class already loaded: both must agree. */
    private boolean matches(Class<?> type) throws IOException {
        String internalName = type.getName().replace('.', '/');
        byte[] classFile;
        try (InputStream in = ClassLoader.getSystemResourceAsStream(internalName + ".class")) {
            classFile = in.readAllBytes();
        }
        ClassLoader loader = type.getClassLoader() != null ? type.getClassLoader() : ClassLoader.getSystemClassLoader();
        boolean fromClassFile = matcher.matches(internalName, new ClassHeaders.Pending(classFile), loader);
        assertEquals(fromClassFile, matcher.matches(type), type + ": class file and loaded class disagree");
        return fromClassFile;
    }

    @Test
    void findsSubTypesThroughClassesAndInterfaces() throws IOException {
        assertTrue(matches(DeepServlet.class));
        assertTrue(matches(BaseServlet.class));
        assertTrue(matches(HttpServlet.class));
        assertTrue(matches(MyFilter.class));
        assertTrue(matches(DeepServlet.class), "again, from what it remembered");
    }

    @Test
    void leavesOthersAndJdkTypesAlone() throws IOException {
        assertFalse(matches(Unrelated.class));
        assertFalse(matches(String.class));
        assertFalse(matches(SubTypeMatcherTest.class));
    }

    /** A JDK super type can be the target itself (every application {@code TimerTask}), loading or loaded. */
    @Test
    void findsSubTypesOfAJdkTarget() throws IOException {
        SubTypeMatcher timerTasks = new SubTypeMatcher(Set.of("java.util.TimerTask"), new ClassHeaders());
        String internalName = AppTimerTask.class.getName().replace('.', '/');
        byte[] classFile;
        try (InputStream in = ClassLoader.getSystemResourceAsStream(internalName + ".class")) {
            classFile = in.readAllBytes();
        }
        assertTrue(timerTasks.matches(internalName, new ClassHeaders.Pending(classFile),
                AppTimerTask.class.getClassLoader()));
        assertTrue(timerTasks.matches(AppTimerTask.class), "a class loaded before the agent");
        assertFalse(timerTasks.matches(java.util.TimerTask.class.getSuperclass()));
    }

    /** Matchers share what they read: a super type's class file is read from its loader once, not once each. */
    @Test
    void aSuperTypeIsReadOnceForAllTheMatchers() throws IOException {
        Map<String, Integer> reads = new ConcurrentHashMap<>();
        ClassLoader counting = new ClassLoader(getClass().getClassLoader()) {
            @Override
            public InputStream getResourceAsStream(String name) {
                reads.merge(name, 1, Integer::sum);
                return super.getResourceAsStream(name);
            }
        };
        ClassHeaders headers = new ClassHeaders();
        SubTypeMatcher servlets = new SubTypeMatcher(Set.of("jakarta.servlet.Servlet"), headers);
        SubTypeMatcher filters = new SubTypeMatcher(Set.of("jakarta.servlet.Filter"), headers);
        String internalName = DeepServlet.class.getName().replace('.', '/');
        byte[] classFile;
        try (InputStream in = ClassLoader.getSystemResourceAsStream(internalName + ".class")) {
            classFile = in.readAllBytes();
        }
        ClassHeaders.Pending header = new ClassHeaders.Pending(classFile);
        assertTrue(servlets.matches(internalName, header, counting));
        assertFalse(filters.matches(internalName, header, counting));
        String base = BaseServlet.class.getName().replace('.', '/') + ".class";
        assertEquals(1, reads.get(base), "BaseServlet's class file read " + reads.get(base) + " times: " + reads);
    }

    static final class AppTimerTask extends java.util.TimerTask {
        @Override
        public void run() {
        }
    }
}

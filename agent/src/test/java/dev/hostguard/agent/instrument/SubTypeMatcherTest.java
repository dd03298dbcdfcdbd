package dev.hostguard.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import java.util.Set;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class SubTypeMatcherTest {
    private final SubTypeMatcher matcher = new SubTypeMatcher(Set.of("jakarta.servlet.Servlet", "jakarta.servlet.Filter"));

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
        boolean fromClassFile = matcher.matches(internalName, classFile, loader);
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
        SubTypeMatcher timerTasks = new SubTypeMatcher(Set.of("java.util.TimerTask"));
        String internalName = AppTimerTask.class.getName().replace('.', '/');
        byte[] classFile;
        try (InputStream in = ClassLoader.getSystemResourceAsStream(internalName + ".class")) {
            classFile = in.readAllBytes();
        }
        assertTrue(timerTasks.matches(internalName, classFile, AppTimerTask.class.getClassLoader()));
        assertTrue(timerTasks.matches(AppTimerTask.class), "a class loaded before the agent");
        assertFalse(timerTasks.matches(java.util.TimerTask.class.getSuperclass()));
    }

    static final class AppTimerTask extends java.util.TimerTask {
        @Override
        public void run() {
        }
    }
}

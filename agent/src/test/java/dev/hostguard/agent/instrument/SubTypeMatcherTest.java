package dev.hostguard.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import java.util.Set;
import net.bytebuddy.description.type.TypeDescription;
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

    private boolean matches(Class<?> type) {
        return matcher.matches(TypeDescription.ForLoadedType.of(type), type.getClassLoader(), null, null, null);
    }

    @Test
    void findsSubTypesThroughClassesAndInterfaces() {
        assertTrue(matches(DeepServlet.class));
        assertTrue(matches(BaseServlet.class));
        assertTrue(matches(HttpServlet.class));
        assertTrue(matches(MyFilter.class));
        assertTrue(matches(DeepServlet.class), "again, from what it remembered");
    }

    @Test
    void leavesOthersAndJdkTypesAlone() {
        assertFalse(matches(Unrelated.class));
        assertFalse(matches(String.class));
        assertFalse(matches(SubTypeMatcherTest.class));
    }
}

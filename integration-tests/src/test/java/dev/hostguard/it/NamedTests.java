package dev.hostguard.it;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.Executable;

/**
 * Dynamic tests whose failure messages start with the test's own name, so that Maven's one-line failure summary
 * (which shows dynamic tests only by index) says which case failed.
 */
final class NamedTests {
    private NamedTests() {
    }

    static DynamicTest dynamicTest(String name, Executable body) {
        return DynamicTest.dynamicTest(name, () -> {
            try {
                body.execute();
            } catch (AssertionError e) {
                AssertionError named = new AssertionError(name + " -- " + e.getMessage(), e.getCause());
                named.setStackTrace(e.getStackTrace());
                throw named;
            }
        });
    }
}

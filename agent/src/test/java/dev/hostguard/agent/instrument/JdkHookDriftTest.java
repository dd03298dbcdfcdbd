package dev.hostguard.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.method.MethodList;
import net.bytebuddy.description.type.TypeDescription;
import org.junit.jupiter.api.Test;

/** Every JDK hook finds exactly the method it was written for on the JDK running this test (17 and 25 in CI). */
class JdkHookDriftTest {

    @Test
    void eachJdkSiteMatchesExactlyOneMethod() throws Exception {
        for (HookFamily family : HookInstaller.FAMILIES) {
            if (!family.hooksJdk()) {
                continue;
            }
            Class<?> target = jdkClass(family);
            TypeDescription type = TypeDescription.ForLoadedType.of(target);
            assertTrue(family.types().matches(type), family.name() + " does not match " + target);
            for (HookSite site : family.sites()) {
                MethodList<MethodDescription.InDefinedShape> found = type.getDeclaredMethods()
                        .filter(site.methods());
                assertEquals(1, found.size(), site.name() + " on " + Runtime.version() + ": " + found);
            }
        }
    }

    private static Class<?> jdkClass(HookFamily family) throws ClassNotFoundException {
        String name = family instanceof ProcessStartHooks ? ProcessStartHooks.TYPE : HttpServerHooks.CHAIN;
        return Class.forName(name, false, ClassLoader.getSystemClassLoader());
    }
}

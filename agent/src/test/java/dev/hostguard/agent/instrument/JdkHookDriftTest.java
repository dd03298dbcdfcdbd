package dev.hostguard.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.method.MethodList;
import net.bytebuddy.description.type.TypeDescription;
import org.junit.jupiter.api.Test;

/**
 * Every JDK hook finds exactly the method it was written for on the JDK running this test (17 and 25 in CI). A site
 * that is not required exists on some JDKs only; each such one has its twin for the others, and exactly one of the
 * two is found.
 */
class JdkHookDriftTest {

    @Test
    void eachJdkSiteMatchesExactlyOneMethod() throws Exception {
        int checked = 0;
        int optionalFound = 0;
        for (HookTarget hooked : HookInstaller.targets()) {
            if (hooked.jdkType() == null) {
                continue;
            }
            Class<?> target = Class.forName(hooked.jdkType(), false, ClassLoader.getSystemClassLoader());
            TypeDescription type = TypeDescription.ForLoadedType.of(target);
            assertTrue(hooked.types().matches(type, target.getClassLoader(), null, target, null),
                    hooked.jdkType() + " is not matched");
            for (HookSite site : hooked.sites()) {
                MethodList<MethodDescription.InDefinedShape> found = type.getDeclaredMethods().filter(site.methods());
                if (site.required()) {
                    assertEquals(1, found.size(), site.name() + " on " + Runtime.version() + ": " + found);
                    checked++;
                } else {
                    assertTrue(found.size() <= 1, site.name() + " on " + Runtime.version() + ": " + found);
                    optionalFound += found.size();
                }
            }
        }
        assertEquals(25, checked, "every required JDK hook site");
        assertEquals(1, optionalFound, "the fork/join pool's submission: externalSubmit (JDK 17-18) or poolSubmit (JDK 19+)");
    }
}

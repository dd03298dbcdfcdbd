package dev.hostguard.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The index of server libraries' families says exactly which classes each family hooks. */
class LibraryFamiliesTest {

    @Test
    void theIndexNamesEveryClassEachFamilyHooksAndNoOther() {
        assertFalse(LibraryFamilies.families().isEmpty());
        for (String family : LibraryFamilies.families()) {
            Set<String> hooked = new TreeSet<>();
            for (HookTarget target : LibraryFamilies.load(family).targets()) {
                assertFalse(target.inJdk(), family + " hooks a JDK class; JDK families are loaded at start-up");
                assertTrue(target.exactType() != null, family + " matches by super type; only exact names are indexed");
                hooked.add(target.exactType().replace('.', '/'));
            }
            assertEquals(hooked, LibraryFamilies.hookedBy(family), family);
        }
    }

    @Test
    void noEagerFamilyIsInTheIndexAndAnUnknownClassHasNoFamily() {
        for (HookFamily eager : HookInstaller.FAMILIES) {
            assertFalse(LibraryFamilies.families().contains(eager.getClass().getSimpleName()), eager.name());
        }
        assertNull(LibraryFamilies.familyOf("java/lang/String"));
    }
}

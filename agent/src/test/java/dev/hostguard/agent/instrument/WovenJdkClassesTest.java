package dev.hostguard.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import net.bytebuddy.jar.asm.ClassReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An entry gives back what {@link HookWeaver} made, for exactly the class file and sites it was made from, and
 * nothing for any other (so Byte Buddy weaves): the JDK's own {@code java.io.FileInputStream} and its real sites.
 */
class WovenJdkClassesTest {
    private static final String NAME = "java/io/FileInputStream";
    private static List<HookSite> sites;
    private static byte[] classFile;
    private static HookWeaver.Result woven;

    @BeforeAll
    static void weave() throws Exception {
        sites = new HookTransformer(HookInstaller.targets(), null, null, null).sites(NAME, null, null);
        try (InputStream in = ClassLoader.getSystemResourceAsStream(NAME + ".class")) {
            classFile = in.readAllBytes();
        }
        woven = new HookWeaver().weave("java.io.FileInputStream", null, classFile, sites);
        assertNotNull(woven.classFile(), "FileInputStream's sites hook nothing here");
    }

    @Test
    void theSameClassFileAndSitesGiveWhatTheWeaverMade() throws Exception {
        byte[] entry = WovenJdkClasses.entry(List.of(classFile), List.of(woven), sites);
        HookWeaver.Result found = WovenJdkClasses.find(entry, NAME, classFile.clone(), sites);
        assertNotNull(found);
        assertEquals("java.io.FileInputStream", found.typeName());
        assertArrayEquals(woven.classFile(), found.classFile());
        assertEquals(woven.hooked().size(), found.hooked().size());
        for (int i = 0; i < woven.hooked().size(); i++) {
            assertSame(woven.hooked().get(i).site(), found.hooked().get(i).site(), "the site itself, by name");
            assertEquals(woven.hooked().get(i).method(), found.hooked().get(i).method());
        }
    }

    @Test
    void eachVariantAnswersForItsOwnClassFile() throws Exception {
        byte[] other = classFile.clone();
        other[other.length - 1] ^= 1; // not a class file the JVM would hand over, but a different one
        HookWeaver.Result otherWoven = new HookWeaver.Result("java.io.FileInputStream", new byte[] {1, 2, 3},
                woven.hooked());
        byte[] entry = WovenJdkClasses.entry(List.of(other, classFile), List.of(otherWoven, woven), sites);
        assertArrayEquals(woven.classFile(), WovenJdkClasses.find(entry, NAME, classFile, sites).classFile());
        assertArrayEquals(new byte[] {1, 2, 3}, WovenJdkClasses.find(entry, NAME, other, sites).classFile());
    }

    /** A second run of the build (without class-data sharing) adds the forms it finds to an entry. */
    @Test
    void variantsAddedToAnEntryAreFoundWithTheOldOnes() throws Exception {
        byte[] other = classFile.clone();
        other[other.length - 1] ^= 1;
        HookWeaver.Result otherWoven = new HookWeaver.Result("java.io.FileInputStream", new byte[] {4, 5},
                woven.hooked());
        byte[] first = WovenJdkClasses.entry(List.of(classFile), List.of(woven), sites);
        byte[] both = WovenJdkClasses.entry(first, List.of(other), List.of(otherWoven), sites);
        assertArrayEquals(woven.classFile(), WovenJdkClasses.find(both, NAME, classFile, sites).classFile());
        assertArrayEquals(new byte[] {4, 5}, WovenJdkClasses.find(both, NAME, other, sites).classFile());
    }

    @Test
    void anyOtherClassFileIsAMiss() throws Exception {
        byte[] entry = WovenJdkClasses.entry(List.of(classFile), List.of(woven), sites);
        byte[] changed = classFile.clone();
        changed[changed.length / 2] ^= 1;
        assertNull(WovenJdkClasses.find(entry, NAME, changed, sites), "one byte changed (another agent's weaving)");
        assertNull(WovenJdkClasses.find(entry, NAME, Arrays.copyOf(classFile, classFile.length + 1), sites),
                "a byte appended");
        assertNull(WovenJdkClasses.find(entry, NAME, Arrays.copyOf(classFile, classFile.length - 1), sites),
                "a byte short");
    }

    /**
     * The JVM reconstitutes a class loaded before the agent with its methods in an order of its own, which changes
     * from run to run where the class is not from the CDS archive: the same class, found.
     */
    @Test
    void theSameMethodsInAnotherOrderAreFound() throws Exception {
        byte[] entry = WovenJdkClasses.entry(List.of(classFile), List.of(woven), sites);
        byte[] reordered = firstTwoMethodsSwapped(classFile);
        assertFalse(Arrays.equals(classFile, reordered), "the methods are in another order");
        assertArrayEquals(woven.classFile(), WovenJdkClasses.find(entry, NAME, reordered, sites).classFile());

        int[] ranges = WovenJdkClasses.MethodOrder.methodRanges(new ClassReader(reordered), 0);
        byte[] changed = reordered.clone();
        changed[ranges[ranges.length - 1] - 1] ^= 1; // the last method's last byte
        assertNull(WovenJdkClasses.find(entry, NAME, changed, sites), "a method's bytes changed");
        byte[] fieldChanged = reordered.clone();
        fieldChanged[ranges[0] - 1] ^= 1; // before the methods: the fields' end
        assertNull(WovenJdkClasses.find(entry, NAME, fieldChanged, sites), "a byte before the methods changed");
    }

    /** The class file with its first two methods' entries swapped, nothing else changed. */
    private static byte[] firstTwoMethodsSwapped(byte[] file) {
        int[] r = WovenJdkClasses.MethodOrder.methodRanges(new ClassReader(file), 0);
        byte[] swapped = file.clone();
        int first = r[3] - r[2];
        int second = r[5] - r[4];
        System.arraycopy(file, r[4], swapped, r[2], second);
        System.arraycopy(file, r[2], swapped, r[2] + second, first);
        return swapped;
    }

    @Test
    void otherSitesAreAMiss() throws Exception {
        byte[] entry = WovenJdkClasses.entry(List.of(classFile), List.of(woven), sites);
        assertNull(WovenJdkClasses.find(entry, NAME, classFile, sites.subList(1, sites.size())), "a site fewer");
    }

    @Test
    void aDamagedEntryIsAMiss() throws Exception {
        byte[] entry = WovenJdkClasses.entry(List.of(classFile), List.of(woven), sites);
        for (int length : new int[] {0, 3, 8, entry.length / 2, entry.length - 1}) {
            assertNull(WovenJdkClasses.find(Arrays.copyOf(entry, length), NAME, classFile, sites),
                    "cut to " + length + " bytes");
        }
        byte[] badMagic = entry.clone();
        badMagic[0] ^= 1;
        assertNull(WovenJdkClasses.find(badMagic, NAME, classFile, sites));
    }

    @Test
    void theJdkIsNamedAsOnePathSegment() {
        assertEquals("Eclipse_Adoptium_25.0.3+9-LTS_amd64", WovenJdkClasses.jdkKey("Eclipse Adoptium", "25.0.3+9-LTS",
                "amd64"));
        assertEquals("_.._x_null_amd64", WovenJdkClasses.jdkKey("/../x", null, "amd64"));
    }
}

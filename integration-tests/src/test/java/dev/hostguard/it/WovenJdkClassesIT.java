package dev.hostguard.it;

import static dev.hostguard.it.NamedTests.dynamicTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a JDK the agent jar was built with, the JDK classes hooked at start-up are woven from the jar's entries
 * (WovenJdkClasses), not by Byte Buddy at run time, and they judge: a read of {@code /proc/self/environ} in an API-key request is refused and the
 * canary it holds never leaves the service. (The app's own classes that a hook targets by super type, its
 * {@code Executor}s, are Byte Buddy's to weave: no build sees them.) (Not
 * under {@code -XX:+BytecodeVerificationLocal}: a JVM that verifies boot classes keeps their stack map tables, so
 * the class files it reconstitutes are not the build's, and Byte Buddy weaves them, as
 * {@code HookedJdkClassesVerifyTest} checks.)
 */
class WovenJdkClassesIT {
    private static final String TEST = WovenJdkClassesIT.class.getSimpleName();
    private static final Pattern WOVEN = Pattern.compile(
            "JDK classes woven from the agent jar \\[(.*)], by Byte Buddy \\[(.*)]");

    @TempDir
    static Path tmp;

    @TestFactory
    Stream<DynamicTest> theStartUpWeavesNoJdkClassWithByteBuddy() {
        return Jdks.all().stream().map(jdk -> dynamicTest(
                "[" + jdk.label() + "] JDK classes hooked at start-up come woven from the agent jar, and judge",
                () -> wovenFromTheJar(jdk)));
    }

    private static void wovenFromTheJar(Jdks.Jdk jdk) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(jdk.label()));
        Secrets secrets = Secrets.fresh();
        String canary = "canary-" + Long.toHexString(System.nanoTime());
        try (ServiceProcess service = GuardedServer.HTTPSERVER_APP.command(TEST, jdk, secrets)
                .agent(BuiltArtifacts.agentJar(), "mode=block,events=" + dir.resolve("events.jsonl"))
                .env("DEMO_CANARY", canary)
                .jvmArgs("-Ddev.hostguard.debug.startup=true")
                .requireLine(GuardedService.AGENT_ACTIVE)
                .start()) {
            Matcher woven = service.awaitLine(WOVEN, Duration.ofSeconds(30));
            assertNotNull(woven, "no line on how the JDK classes were woven:\n" + service.tail());
            assertTrue(woven.group(1).contains("java/io/FileInputStream"),
                    "java.io.FileInputStream (loaded before the agent) not from the jar: " + woven.group());
            assertEquals("", woven.group(2), "JDK classes Byte Buddy wove at start-up: " + woven.group());

            HttpTestClient.Response read = HttpTestClient.get(service.baseUri(),
                            GuardedServer.HTTPSERVER_APP.fileRoute(Credentials.API_KEY))
                    .query("api", "file-input-stream").query("path", "/proc/self/environ")
                    .apiKey(secrets.apiKey()).send();
            assertEquals(403, read.status(), "the read of /proc/self/environ: " + read);
            assertFalse(read.body().contains(canary), "the environment left the service: " + read);
        }
    }
}

package dev.hostguard.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code events-max-size}, {@code events-max-files} and {@code events-queue}, from every source. */
class EventSinkOptionsTest {
    @TempDir
    Path dir;

    @Test
    void withoutTheOptionsTheSinkIsAsBefore() throws Exception {
        EventTarget target = AgentOptions.resolve("events=" + dir.resolve("e.jsonl"), Map.of(), Map.of()).events();
        assertEquals(EventTarget.file(dir.resolve("e.jsonl")), target);
        assertEquals(0, target.queueCapacity(), "a file is written directly: a full disk fails, it does not block");
        assertEquals(false, target.rotates());
    }

    @Test
    void aStandardStreamHasAQueueByDefaultAndZeroTurnsItOff() throws Exception {
        EventTarget stdout = AgentOptions.resolve(null, Map.of(), Map.of()).events();
        assertEquals(EventTarget.STREAM_QUEUE, stdout.queueCapacity(), "a stalled pipe must not block requests");
        assertEquals("stdout queue 10000", stdout.toString());
        assertEquals(EventTarget.STREAM_QUEUE,
                AgentOptions.resolve("events=stderr", Map.of(), Map.of()).events().queueCapacity());
        EventTarget direct = AgentOptions.resolve("events=stderr,events-queue=0", Map.of(), Map.of()).events();
        assertEquals(0, direct.queueCapacity());
        assertEquals("stderr", direct.toString());
        assertEquals(64, AgentOptions.resolve("events-queue=64", Map.of(), Map.of()).events().queueCapacity());
    }

    @Test
    void sizesCountsAndTheQueueAreReadFromEverySource() throws Exception {
        Path file = dir.resolve("e.jsonl");
        EventTarget target = AgentOptions.resolve("events=" + file + ",events-max-size=10m,events-queue=500",
                Map.of("hostguard.events-max-files", "3"), Map.of()).events();
        assertEquals(new EventTarget(file, false, 10L * 1024 * 1024, 3, 500), target);
        assertTrue(target.rotates());
        assertEquals(file + " rotated at 10485760 bytes, 3 kept queue 500", target.toString());
        EventTarget env = AgentOptions.resolve(null, Map.of(), Map.of("HOSTGUARD_EVENTS", "stdout",
                "HOSTGUARD_EVENTS_QUEUE", "64", "HOSTGUARD_EVENTS_MAX_SIZE", "512k")).events();
        assertEquals(64, env.queue());
        assertEquals(512 * 1024, env.maxBytes());
        assertEquals(false, env.rotates(), "a stream is never rotated");
        assertEquals(4096, AgentOptions.resolve("events-max-size=4096", Map.of(), Map.of()).events().maxBytes());
        assertEquals(1L << 30, AgentOptions.resolve("events-max-size=1GB", Map.of(), Map.of()).events().maxBytes());
    }

    @Test
    void aPolicyFileSinkKeepsTheOptions() throws Exception {
        Path file = dir.resolve("from-policy.jsonl");
        dev.hostguard.agent.policy.Policy policy = PolicyParser.parse("events:\n  sink: " + file + "\n",
                dir.resolve("p.yaml").toString());
        EventTarget target = AgentOptions.resolve("policy=" + dir.resolve("p.yaml") + ",events-max-size=1m",
                Map.of(), Map.of()).withPolicy(policy).events();
        assertEquals(new EventTarget(file, false, 1024 * 1024, EventTarget.DEFAULT_MAX_FILES,
                EventTarget.DEFAULT_QUEUE), target);
        assertEquals(0, target.queueCapacity());
    }

    @Test
    void badValuesNameTheOptionAndTheSource() {
        assertMessage("bad value for option 'events-max-size' (agent argument events-max-size=10x)",
                "events-max-size=10x");
        assertMessage("expected a size of at least 4k", "events-max-size=100");
        assertMessage("bad value for option 'events-max-files'", "events-max-files=0");
        assertMessage("bad value for option 'events-queue' (agent argument events-queue=-1)", "events-queue=-1");
    }

    private static void assertMessage(String expected, String argument) {
        InvalidOptionException e = assertThrows(InvalidOptionException.class,
                () -> AgentOptions.resolve(argument, Map.of(), Map.of()));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}

package dev.hostguard.agent.path;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProcNamesTest {
    @ParameterizedTest
    @CsvSource({"1, true", "123456, true", "self, true", "thread-self, true", "'', false", "selfx, false",
        "12a, false", "sel, false", "thread-selfish, false", "-1, false"})
    void processNames(String name, boolean expected) {
        assertEquals(expected, ProcNames.isProcessName("/proc/" + name + "/x", 6, 6 + name.length()));
    }

    @ParameterizedTest
    @CsvSource({"/proc/1, true", "/proc/self, true", "/proc/thread-self, true", "/proc/12/task/34, true",
        "/proc/self/task/7, true", "/proc, false", "/proc/, false", "/proc/12/task, false", "/proc/12/task/x, false",
        "/proc/12/fd, false", "/proc/12/task/34/fd, false", "/procs/1, false", "/proc/sys, false"})
    void processDirectories(String directory, boolean expected) {
        assertEquals(expected, ProcNames.isProcessDirectory(directory));
    }
}

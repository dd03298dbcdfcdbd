package dev.hostguard.agent.posture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The {@code Key:\tvalue} lines of {@code /proc/<pid>/status} (proc(5)). */
final class ProcStatus {
    private ProcStatus() {
    }

    /** Field name → value, trimmed; empty when the file cannot be read. */
    static Map<String, String> read(Path status) {
        Map<String, String> fields = new HashMap<>();
        String text;
        try {
            text = new String(MountInfo.readAll(status), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return fields;
        }
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.putIfAbsent(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }
}

package dev.hostguard.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeSocketHomesTest {
    @Test
    void theEnvironmentsSocketsComeFirstThenTheConventionalHomes() {
        List<String> homes = RuntimeSocketHomes.of(Map.of("DOCKER_HOST", "unix:///srv/dind/docker.sock",
                "CONTAINER_HOST", "tcp://10.0.0.1:2376", "XDG_RUNTIME_DIR", "/run/user/1000"));
        assertEquals("/srv/dind/docker.sock", homes.get(0));
        assertTrue(homes.contains("/run/user/1000/docker.sock") && homes.contains("/run/user/1000/podman/podman.sock"));
        assertTrue(homes.contains("/var/run/docker.sock") && homes.contains("/run/containerd/containerd.sock"));
        assertTrue(homes.stream().noneMatch(h -> h.contains("10.0.0.1")), "a TCP host is no socket");
        assertTrue(RuntimeSocketHomes.of(Map.of("DOCKER_HOST", "unix://")).stream().allMatch(h -> h.startsWith("/")));
    }
}

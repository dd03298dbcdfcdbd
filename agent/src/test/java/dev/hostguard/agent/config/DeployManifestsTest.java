package dev.hostguard.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hostguard.agent.policy.Mode;
import dev.hostguard.agent.policy.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The Kubernetes recipe ({@code deploy/kubernetes}) and the image example ({@code deploy/Dockerfile}) hold together:
 * no Kubernetes schema validator is packaged for this build (neither kubeconform nor kubeval in Debian or Maven
 * Central), so every manifest is parsed and what makes the agent load and read its policy is checked: the jar in
 * {@code JAVA_TOOL_OPTIONS} is where the init container copies it, on the volume both mount; the options resolve
 * as the agent resolves them, events to standard output, the mode left to the policy; the policy path is the
 * ConfigMap's mount, read-only and without {@code subPath} (which would never see an update), and the ConfigMap's
 * policy parses with HostGuard's own parser; the metrics port is declared and annotated for scraping.
 */
class DeployManifestsTest {
    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final Pattern JAVAAGENT = Pattern.compile("-javaagent:(\\S+?\\.jar)(?:=(\\S*))?");

    private static final List<Map<String, Object>> documents = new ArrayList<>();

    @BeforeAll
    static void parseEveryManifest() throws IOException {
        try (Stream<Path> files = Files.list(DEPLOY.resolve("kubernetes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (Object document : new Load(LoadSettings.builder().setLabel(file.toString()).build())
                        .loadAllFromString(Files.readString(file))) {
                    Map<String, Object> manifest = map(document, file + ": a document");
                    assertNotNull(manifest.get("apiVersion"), file + ": apiVersion");
                    assertNotNull(manifest.get("kind"), file + ": kind");
                    manifest.put("__file", file.getFileName().toString());
                    documents.add(manifest);
                }
            }
        }
        assertFalse(documents.isEmpty(), "no manifest in " + DEPLOY.resolve("kubernetes").toAbsolutePath());
    }

    @Test
    void theKustomizationListsEveryOtherManifest() {
        Map<String, Object> kustomization = only("Kustomization");
        List<Object> resources = list(kustomization.get("resources"), "resources");
        List<String> others = documents.stream().filter(d -> !d.get("kind").equals("Kustomization"))
                .map(d -> (String) d.get("__file")).distinct().sorted().toList();
        assertEquals(others, resources.stream().map(String::valueOf).sorted().toList());
    }

    @Test
    void theAgentJarIsWhereTheInitContainerCopiesItAndTheServiceMountsIt() {
        Map<String, Object> pod = podSpec();
        Map<String, Object> service = serviceContainer(pod);
        String jar = javaagent(service).group(1);
        Map<String, Object> jarMount = mountHolding(service, jar);
        assertEquals(Boolean.TRUE, jarMount.get("readOnly"), "the agent's volume is read-only in the service");
        Map<String, Object> volume = volume(pod, (String) jarMount.get("name"));
        assertTrue(volume.containsKey("emptyDir"), "the agent's volume is an emptyDir: " + volume);

        List<Object> inits = list(pod.get("initContainers"), "initContainers");
        assertEquals(1, inits.size());
        Map<String, Object> init = map(inits.get(0), "the init container");
        Map<String, Object> initMount = null;
        for (Object m : list(init.get("volumeMounts"), "the init container's volumeMounts")) {
            if (map(m, "a mount").get("name").equals(jarMount.get("name"))) {
                initMount = map(m, "a mount");
            }
        }
        assertNotNull(initMount, "the init container mounts the agent's volume");
        String copiedTo = jar.replaceFirst("^" + Pattern.quote((String) jarMount.get("mountPath")),
                (String) initMount.get("mountPath"));
        List<Object> command = list(init.get("command"), "the init container's command");
        assertEquals("cp", command.get(0));
        assertEquals(copiedTo, command.get(command.size() - 1), "the init container copies the jar to " + copiedTo);
        assertTrue(String.valueOf(command.get(1)).endsWith("/hostguard-agent.jar"), command.toString());
    }

    @Test
    void theOptionsResolveAndThePolicyIsTheConfigMapMountedReadOnly() throws Exception {
        Map<String, Object> pod = podSpec();
        Map<String, Object> service = serviceContainer(pod);
        Map<String, String> environment = new HashMap<>();
        for (Object e : list(service.get("env"), "env")) {
            Map<String, Object> variable = map(e, "an env entry");
            environment.put((String) variable.get("name"), String.valueOf(variable.get("value")));
        }
        AgentOptions options = AgentOptions.resolve(javaagent(service).group(2), Map.of(), environment);
        assertEquals(10_000, options.events().queueCapacity(), "a queue between the requests and standard output (the default)");
        assertNull(options.events().file(), "events to standard output");
        assertFalse(options.events().stderr(), "events to standard output");
        assertEquals(AgentOptions.DEFAULT_ORIGIN, options.modeOrigin(), "the mode is left to the policy file");

        String policyPath = options.policy().toString();
        Map<String, Object> policyMount = mountHolding(service, policyPath);
        assertEquals(Boolean.TRUE, policyMount.get("readOnly"), "the policy is mounted read-only");
        assertNull(policyMount.get("subPath"), "a subPath mount never sees a ConfigMap update");
        Map<String, Object> configMapVolume = map(volume(pod, (String) policyMount.get("name")).get("configMap"),
                "the policy's volume is a configMap");
        Map<String, Object> configMap = null;
        for (Map<String, Object> d : documents) {
            if (d.get("kind").equals("ConfigMap")
                    && map(d.get("metadata"), "metadata").get("name").equals(configMapVolume.get("name"))) {
                configMap = d;
            }
        }
        assertNotNull(configMap, "a ConfigMap named " + configMapVolume.get("name"));
        String key = policyPath.substring(((String) policyMount.get("mountPath")).length() + 1);
        Object text = map(configMap.get("data"), "the ConfigMap's data").get(key);
        assertNotNull(text, "the ConfigMap holds " + key);
        Policy policy = PolicyParser.parse((String) text, configMap.get("__file") + " data." + key);
        assertEquals(Mode.AUDIT, policy.mode(), "the recipe starts in audit");

        InvalidPolicyException typo = null;
        try {
            PolicyParser.parse(((String) text).replace("mode:", "mdoe:"), "typo");
        } catch (InvalidPolicyException e) {
            typo = e;
        }
        assertNotNull(typo, "the parser the test relies on refuses a typo");
    }

    @Test
    void theMetricsPortIsDeclaredAndAnnotatedForScraping() throws Exception {
        Map<String, Object> deployment = only("Deployment");
        Map<String, Object> template = map(map(deployment.get("spec"), "spec").get("template"), "template");
        Map<String, Object> service = serviceContainer(map(template.get("spec"), "the pod's spec"));
        AgentOptions options = AgentOptions.resolve(javaagent(service).group(2), Map.of(), Map.of());
        int port = options.metrics().prometheus().getPort();
        assertEquals("0.0.0.0", options.metrics().prometheus().getHostString(), "reachable from the pod's IP");
        assertTrue(list(service.get("ports"), "ports").stream().anyMatch(p -> Integer.valueOf(port)
                .equals(map(p, "a port").get("containerPort"))), "the container declares port " + port);
        Map<String, Object> annotations = map(map(template.get("metadata"), "metadata").get("annotations"),
                "annotations");
        assertEquals(String.valueOf(port), annotations.get("prometheus.io/port"));
        assertEquals("/metrics", annotations.get("prometheus.io/path"));

        Map<String, Object> labels = map(map(template.get("metadata"), "metadata").get("labels"), "labels");
        Map<String, Object> selector = map(map(map(deployment.get("spec"), "spec").get("selector"), "selector")
                .get("matchLabels"), "matchLabels");
        assertTrue(labels.entrySet().containsAll(selector.entrySet()), "the selector selects the template");
    }

    @Test
    void theDockerfileLoadsTheJarItCopies() throws Exception {
        List<String> lines = Files.readAllLines(DEPLOY.resolve("Dockerfile"));
        String built = null;
        List<String> copiedTo = new ArrayList<>();
        String toolOptions = null;
        for (String line : lines) {
            String[] words = line.trim().split("\\s+");
            if (words[0].equals("COPY")) {
                copiedTo.add(words[words.length - 1]);
                if (!words[1].startsWith("--from")) {
                    built = words[1];
                }
            } else if (words[0].equals("ENV") && line.contains("JAVA_TOOL_OPTIONS=")) {
                toolOptions = line;
            }
        }
        assertEquals("agent/target/hostguard-agent.jar", built, "the jar mvn -pl agent package builds");
        assertNotNull(toolOptions, "an ENV JAVA_TOOL_OPTIONS line");
        Matcher agent = JAVAAGENT.matcher(toolOptions);
        assertTrue(agent.find(), toolOptions);
        assertTrue(copiedTo.contains(agent.group(1)), agent.group(1) + " is copied into the image: " + copiedTo);
        String arguments = agent.group(2).replaceAll("\"$", "");
        AgentOptions options = AgentOptions.resolve(arguments, Map.of(), Map.of());
        assertNull(options.events().file(), "events to standard output");
        assertEquals(AgentOptions.DEFAULT_ORIGIN, options.modeOrigin(), "the mode is left to a policy file");
        // the init container runs the image's first stage: the jar where deployment.yaml copies it from
        Map<String, Object> init = map(list(podSpec().get("initContainers"), "initContainers").get(0), "init");
        assertEquals(copiedTo.get(0), list(init.get("command"), "command").get(1));
    }

    private static Matcher javaagent(Map<String, Object> container) {
        for (Object e : list(container.get("env"), "env")) {
            Map<String, Object> variable = map(e, "an env entry");
            if ("JAVA_TOOL_OPTIONS".equals(variable.get("name"))) {
                Matcher agent = JAVAAGENT.matcher(String.valueOf(variable.get("value")));
                assertTrue(agent.find(), "a -javaagent in " + variable.get("value"));
                return agent;
            }
        }
        return fail("no JAVA_TOOL_OPTIONS in the container " + container.get("name"));
    }

    /** The mount whose path holds {@code path}. */
    private static Map<String, Object> mountHolding(Map<String, Object> container, String path) {
        for (Object m : list(container.get("volumeMounts"), "volumeMounts")) {
            Map<String, Object> mount = map(m, "a mount");
            if (path.startsWith(mount.get("mountPath") + "/")) {
                return mount;
            }
        }
        return fail("no mount of the container holds " + path);
    }

    private static Map<String, Object> volume(Map<String, Object> pod, String name) {
        for (Object v : list(pod.get("volumes"), "volumes")) {
            if (map(v, "a volume").get("name").equals(name)) {
                return map(v, "a volume");
            }
        }
        return fail("no volume " + name);
    }

    private static Map<String, Object> podSpec() {
        Map<String, Object> spec = map(only("Deployment").get("spec"), "the Deployment's spec");
        return map(map(spec.get("template"), "template").get("spec"), "the pod's spec");
    }

    /** The one container that loads the agent. */
    private static Map<String, Object> serviceContainer(Map<String, Object> pod) {
        List<Object> containers = list(pod.get("containers"), "containers");
        assertEquals(1, containers.size());
        return map(containers.get(0), "the service container");
    }

    private static Map<String, Object> only(String kind) {
        List<Map<String, Object>> found = documents.stream().filter(d -> d.get("kind").equals(kind)).toList();
        assertEquals(1, found.size(), "one " + kind);
        return found.get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String what) {
        assertTrue(value instanceof Map, what + " is a mapping: " + value);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value, String what) {
        assertTrue(value instanceof List, what + " is a list: " + value);
        return (List<Object>) value;
    }
}

package dev.hostguard.agent.policy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * The default network rules: control planes a request with only an API key (or nothing) has no business
 * connecting to. Ids are stable, as {@link DefaultRules}'. Each rule's endpoints are fixed ports and addresses, plus
 * what the environment names: {@code DOCKER_HOST} / {@code CONTAINER_HOST} when they are {@code tcp://host:port}, and
 * {@code KUBERNETES_SERVICE_HOST}:{@code KUBERNETES_SERVICE_PORT}, which the kubelet sets in every pod.
 */
public final class DefaultNetworkRules {
    static final String RUNTIME_CATEGORY = "container runtime APIs";
    static final String KUBERNETES_CATEGORY = "Kubernetes control plane";

    public static final Rule DOCKER_API_TCP = new Rule("docker-api-tcp", RUNTIME_CATEGORY,
            EnumSet.of(FileAccess.CONNECT),
            "the Docker, Podman or containerd API over TCP: whoever speaks to it starts containers on the host",
            "the Docker daemon's ports (dockerd -H tcp://: 2375 plain, 2376 TLS; 2377 swarm management); DOCKER_HOST,"
                    + " Podman's CONTAINER_HOST; the TCP form of Tracee TRC-1019 (Docker socket abuse)");
    public static final Rule KUBELET_API = new Rule("kubelet-api", KUBERNETES_CATEGORY, EnumSet.of(FileAccess.CONNECT),
            "the kubelet's API (10250, read-only 10255): runs commands in the node's containers, lists its pods",
            "Kubernetes ports and protocols (kubelet API 10250, read-only port 10255)");
    public static final Rule ETCD = new Rule("etcd", KUBERNETES_CATEGORY, EnumSet.of(FileAccess.CONNECT),
            "etcd (2379 client, 2380 peer): the cluster's whole state, its secrets included",
            "Kubernetes ports and protocols (etcd server client API 2379-2380)");
    public static final Rule KUBERNETES_API = new Rule("kubernetes-api", KUBERNETES_CATEGORY,
            EnumSet.of(FileAccess.CONNECT),
            "the Kubernetes API server, one connect away from a pod with its service-account token",
            "KUBERNETES_SERVICE_HOST/PORT (set in every pod), kubernetes.default.svc; Falco stable (Contact K8S API"
                    + " Server From Container)");
    public static final Rule CLOUD_METADATA = new Rule("cloud-metadata", "cloud credentials",
            EnumSet.of(FileAccess.CONNECT),
            "cloud instance metadata services, which hand out the instance's or task's credentials",
            "AWS IMDS 169.254.169.254 / fd00:ec2::254, ECS task credentials 169.254.170.2, EKS Pod Identity"
                    + " 169.254.170.23 / fd00:ec2::23; GCP metadata.google.internal; Azure, Oracle, DigitalOcean"
                    + " 169.254.169.254; Alibaba 100.100.100.200; Falco incubating (Contact EC2 Instance Metadata Service"
                    + " From Container), sandbox (Contact cloud metadata service from container)");

    private DefaultNetworkRules() {
    }

    /** The default network rules, for a policy to name. */
    public static List<Rule> rules() {
        return List.of(DOCKER_API_TCP, KUBELET_API, ETCD, KUBERNETES_API, CLOUD_METADATA);
    }

    static void addTo(NetworkRules.Builder rules, Map<String, String> environment) {
        for (String endpoint : new String[] {"*:2375", "*:2376", "*:2377"}) {
            rules.endpoint(DOCKER_API_TCP, endpoint);
        }
        for (String variable : new String[] {"DOCKER_HOST", "CONTAINER_HOST"}) {
            Endpoint fromEnvironment = tcpEndpoint(environment.get(variable));
            if (fromEnvironment != null) {
                rules.endpoint(DOCKER_API_TCP, fromEnvironment);
            }
        }

        rules.endpoint(KUBELET_API, "*:10250").endpoint(KUBELET_API, "*:10255");
        rules.endpoint(ETCD, "*:2379").endpoint(ETCD, "*:2380");

        Endpoint apiServer = kubernetesService(environment.get("KUBERNETES_SERVICE_HOST"),
                environment.get("KUBERNETES_SERVICE_PORT"));
        if (apiServer != null) {
            rules.endpoint(KUBERNETES_API, apiServer);
        }
        for (String name : new String[] {"kubernetes", "kubernetes.default", "kubernetes.default.svc",
            "kubernetes.default.svc.*"}) {
            rules.endpoint(KUBERNETES_API, name);
        }

        for (String endpoint : new String[] {"169.254.169.254", "fd00:ec2::254", "169.254.170.2", "169.254.170.23",
            "fd00:ec2::23", "metadata.google.internal", "100.100.100.200"}) {
            rules.endpoint(CLOUD_METADATA, endpoint);
        }
    }

    /**
     * The endpoint of a Docker client's {@code tcp://host[:port][/path]} ({@code DOCKER_HOST}, Podman's
     * {@code CONTAINER_HOST}); {@code null} for any other value (a Unix socket, ssh://, unset, unreadable).
     */
    static Endpoint tcpEndpoint(String url) {
        if (url == null) {
            return null;
        }
        String u = url.trim();
        int scheme = u.indexOf("://");
        if (scheme < 0 || !u.substring(0, scheme).equalsIgnoreCase("tcp")
                && !u.substring(0, scheme).equalsIgnoreCase("http")
                && !u.substring(0, scheme).equalsIgnoreCase("https")) {
            return null;
        }
        String authority = u.substring(scheme + 3);
        int slash = authority.indexOf('/');
        if (slash >= 0) {
            authority = authority.substring(0, slash);
        }
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            authority = authority.substring(at + 1);
        }
        if (authority.isEmpty()) {
            return null;
        }
        try {
            return Endpoint.parse(authority);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@code host:port} of the Kubernetes service the kubelet names in every pod; {@code null} when unset. */
    static Endpoint kubernetesService(String host, String port) {
        if (host == null || host.isBlank()) {
            return null;
        }
        String h = host.trim();
        if (h.indexOf(':') >= 0 && !h.startsWith("[")) {
            h = "[" + h + "]";
        }
        try {
            return Endpoint.parse(port == null || port.isBlank() ? h : h + ":" + port.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The endpoints the environment adds to the defaults, as {@code rule-id endpoint} lines (for {@code check}). */
    public static List<String> fromEnvironment(Map<String, String> environment) {
        List<String> lines = new ArrayList<>();
        for (String variable : new String[] {"DOCKER_HOST", "CONTAINER_HOST"}) {
            Endpoint e = tcpEndpoint(environment.get(variable));
            if (e != null) {
                lines.add(DOCKER_API_TCP.id() + " " + e.text() + " (" + variable + ")");
            }
        }
        Endpoint api = kubernetesService(environment.get("KUBERNETES_SERVICE_HOST"),
                environment.get("KUBERNETES_SERVICE_PORT"));
        if (api != null) {
            lines.add(KUBERNETES_API.id() + " " + api.text() + " (KUBERNETES_SERVICE_HOST/PORT)");
        }
        return lines;
    }
}

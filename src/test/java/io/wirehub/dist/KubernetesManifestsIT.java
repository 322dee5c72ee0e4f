package io.wirehub.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.app.WireHub;
import io.wirehub.config.Settings;
import io.wirehub.config.SettingsLoader;
import io.wirehub.testing.Http;
import io.wirehub.testing.Slow;
import io.wirehub.testing.TestHubs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * config/kubernetes/ held against the server, since no cluster runs here: the settings the
 * Deployment gives (its env over the ConfigMap's file) load; its ports are the ones they set and
 * the image exposes; the probe paths answer on a real server's management port; every WH_*
 * variable is one wirehub knows; the grace period outlasts preStop plus the drain; and the
 * Service, ServiceMonitor, PodDisruptionBudget and autoscaler point at what exists.
 */
@Slow
class KubernetesManifestsIT {
    private static final Path DIR = Path.of("config/kubernetes");

    @TempDir
    Path tmp;

    @Test
    void theConfigMapIsProductionYaml() throws IOException {
        Map<String, Object> data = map(load("configmap.yaml").get("data"));
        assertEquals(
                Files.readString(Path.of("config/production.yaml")),
                data.get("production.yaml"),
                "config/kubernetes/configmap.yaml carries config/production.yaml as it is; regenerate it with the command at its top");
    }

    @Test
    void everyVariableIsKnownAndTheSettingsLoadWithThePortsTheContainerDeclares() throws IOException {
        Map<String, Object> container = container();
        Map<String, String> env = new HashMap<>();
        for (Object item : list(container.get("env"))) {
            Map<String, Object> variable = map(item);
            String name = (String) variable.get("name");
            assertTrue(SettingsLoader.knows(name), name + " is not a variable wirehub reads (docs/configuration.md)");
            // Secrets come from a Secret: any value of the right shape stands in for them here.
            env.put(
                    name,
                    variable.containsKey("value")
                            ? (String) variable.get("value")
                            : "a-stand-in-secret-of-at-least-32-bytes!");
            if (name.equals("WH_STORE_POSTGRES_PASSWORD") || name.equals("WH_AUTH_JWT_SECRET")) {
                assertTrue(variable.containsKey("valueFrom"), name + " comes from a Secret, not a literal");
            }
        }
        assertTrue(
                env.keySet().containsAll(List.of("WH_STORE_POSTGRES_PASSWORD", "WH_AUTH_JWT_SECRET")),
                env.keySet().toString());

        Settings settings = deployedSettings(env);
        Map<String, Integer> ports = containerPorts(container);
        assertEquals(settings.server().port(), ports.get("http"), "the http port is the one wirehub listens on");
        assertEquals(settings.server().managementPort(), ports.get("management"), "the management port is wirehub's");
        assertEquals(Set.copyOf(ports.values()), exposedByTheImage(), "the image exposes the same ports");
        assertEquals(List.of("--config", "/etc/wirehub/production.yaml"), container.get("args"));
        boolean mounted = list(container.get("volumeMounts")).stream()
                .map(KubernetesManifestsIT::map)
                .anyMatch(mount -> "/etc/wirehub".equals(mount.get("mountPath")) && "config".equals(mount.get("name")));
        assertTrue(mounted, "the ConfigMap is mounted where --config looks");
    }

    @Test
    void theProbesAskPathsTheManagementPortServes() {
        Map<String, Object> container = container();
        Map<String, String> paths = new HashMap<>();
        for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
            Map<String, Object> get = map(map(container.get(probe)).get("httpGet"));
            assertEquals("management", get.get("port"), probe + " goes to the management port");
            paths.put(probe, (String) get.get("path"));
        }
        assertEquals(
                "/health",
                paths.get("readinessProbe"),
                "readiness: 503 while the store is down or the instance drains");
        assertEquals("/health/live", paths.get("livenessProbe"), "liveness never follows the store");
        try (WireHub hub = TestHubs.start(Map.of(
                "WH_MANAGEMENT_PORT",
                "0",
                "WH_AUTH_MODE",
                "jwt",
                "WH_AUTH_JWT_SECRET",
                "a-stand-in-secret-of-at-least-32-bytes!"))) {
            for (String path : new LinkedHashSet<>(paths.values())) {
                assertEquals(
                        200,
                        Http.get("http://127.0.0.1:" + hub.managementPort() + path)
                                .status(),
                        path);
            }
            String metrics = Http.get("http://127.0.0.1:" + hub.managementPort() + "/metrics")
                    .body();
            String metric = (String)
                    map(map(map(list(spec("horizontalpodautoscaler.yaml").get("metrics"))
                                                    .getFirst())
                                            .get("pods"))
                                    .get("metric"))
                            .get("name");
            assertTrue(metrics.contains("\n" + metric + "{"), "the autoscaler's metric " + metric + " is on /metrics");
        }
    }

    @Test
    void theGracePeriodOutlastsPreStopAndTheDrain() throws IOException {
        Map<String, Object> pod =
                map(map(spec("deployment.yaml").get("template")).get("spec"));
        int grace = (Integer) pod.get("terminationGracePeriodSeconds");
        List<Object> command =
                list(map(map(map(container().get("lifecycle")).get("preStop")).get("exec"))
                        .get("command"));
        assertEquals("sleep", command.getFirst());
        int preStop = Integer.parseInt((String) command.get(1));
        Settings.Server server = deployedSettings(
                        Map.of("WH_AUTH_JWT_SECRET", "a-stand-in-secret-of-at-least-32-bytes!"))
                .server();
        long delaySeconds = server.shutdownDelay().toSeconds();
        long drainSeconds = server.drainTimeout().toSeconds();
        assertTrue(preStop + delaySeconds > 0, "the load balancers get time to drop the pod before the drain");
        assertTrue(
                grace > preStop + delaySeconds + drainSeconds + 5,
                "terminationGracePeriodSeconds " + grace + " > preStop " + preStop + " s + server.shutdown_delay "
                        + delaySeconds + " s + server.drain_timeout " + drainSeconds + " s + 5 s for the JVM to exit");
    }

    @Test
    void theImageIsThisVersion() throws IOException {
        Matcher version = Pattern.compile("<version>([^<]+)</version>").matcher(Files.readString(Path.of("pom.xml")));
        assertTrue(version.find());
        String image = (String) container().get("image");
        assertTrue(
                image.endsWith(":" + version.group(1)),
                image + " is not the pom's version " + version.group(1) + ": a release names its image");
    }

    @Test
    void theServiceMonitorBudgetAndAutoscalerPointAtTheDeployment() {
        Map<String, Object> labels =
                map(map(map(spec("deployment.yaml").get("template")).get("metadata"))
                        .get("labels"));
        Map<String, Object> service = spec("service.yaml");
        assertTrue(
                labels.entrySet().containsAll(map(service.get("selector")).entrySet()), "the Service selects the pods");
        Set<String> servicePorts = new LinkedHashSet<>();
        for (Object port : list(service.get("ports"))) {
            Object target = map(port).get("targetPort");
            assertTrue(
                    containerPorts(container()).containsKey(target),
                    "the Service's targetPort " + target + " is a container port");
            servicePorts.add((String) map(port).get("name"));
        }
        Map<String, Object> monitor = spec("servicemonitor.yaml");
        Map<String, Object> endpoint = map(list(monitor.get("endpoints")).getFirst());
        assertTrue(
                servicePorts.contains(endpoint.get("port")) && "management".equals(endpoint.get("port")),
                "scraped on the management port");
        assertEquals("/metrics", endpoint.get("path"));
        assertTrue(labels.entrySet()
                .containsAll(map(map(spec("poddisruptionbudget.yaml").get("selector"))
                                .get("matchLabels"))
                        .entrySet()));
        assertEquals(
                "wirehub",
                map(spec("horizontalpodautoscaler.yaml").get("scaleTargetRef")).get("name"));
        assertEquals("wirehub", map(load("deployment.yaml").get("metadata")).get("name"));
    }

    /** What the Deployment's pod runs with: its env over the ConfigMap's production.yaml. */
    private Settings deployedSettings(Map<String, String> env) throws IOException {
        Path file = tmp.resolve("production.yaml");
        Files.writeString(file, (String) map(load("configmap.yaml").get("data")).get("production.yaml"));
        Map<String, String> all = new HashMap<>(env);
        for (Object item : list(container().get("env"))) {
            Map<String, Object> variable = map(item);
            if (variable.containsKey("value")) {
                all.putIfAbsent((String) variable.get("name"), (String) variable.get("value"));
            }
        }
        all.putIfAbsent("WH_STORE_POSTGRES_PASSWORD", "stand-in");
        return SettingsLoader.load(file, all);
    }

    private static Set<Integer> exposedByTheImage() throws IOException {
        Matcher expose = Pattern.compile("(?m)^EXPOSE (.+)$").matcher(Files.readString(Path.of("Containerfile")));
        assertTrue(expose.find(), "the Containerfile has an EXPOSE line");
        Set<Integer> ports = new LinkedHashSet<>();
        for (String port : expose.group(1).trim().split("\\s+")) {
            ports.add(Integer.parseInt(port));
        }
        return ports;
    }

    private static Map<String, Integer> containerPorts(Map<String, Object> container) {
        Map<String, Integer> ports = new HashMap<>();
        list(container.get("ports")).stream()
                .map(KubernetesManifestsIT::map)
                .forEach(port -> ports.put((String) port.get("name"), (Integer) port.get("containerPort")));
        return ports;
    }

    private static Map<String, Object> container() {
        Map<String, Object> pod =
                map(map(spec("deployment.yaml").get("template")).get("spec"));
        return map(list(pod.get("containers")).getFirst());
    }

    private static Map<String, Object> spec(String file) {
        return map(load(file).get("spec"));
    }

    private static Map<String, Object> load(String file) {
        try {
            return map(new Yaml().load(Files.readString(DIR.resolve(file))));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        return (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object node) {
        return (List<Object>) node;
    }
}

package dev.prefork.docker;

import dev.prefork.core.config.ConfigOption;
import dev.prefork.core.config.ConfigResolver;
import dev.prefork.core.config.ServerConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks docker/k8s against the contract: the termination budget, the probes on the admin port, the Service on
 * the application port, the worker count sized to the CPU limit. The container's {@code PREFORK_*} env is run
 * through the server's own {@link ConfigResolver}, so a value the server would reject fails here too.
 */
class ManifestTest {
    /** JVM exit, the master's final SIGKILL of stragglers and their reaping: what the budget keeps beyond the drain. */
    static final long MIN_SLACK_SECONDS = 5;
    /** The master JVM's own share of the pod's memory. */
    static final long MASTER_MEMORY_BYTES = 128L << 20;
    static final String PLACEHOLDER_APP = "dev.prefork.examples.ExampleApp";

    static K8sManifests manifests;
    static Container container;
    static ServerConfig config;

    @BeforeAll
    static void load() {
        manifests = K8sManifests.load();
        container = manifests.container();
        config = new ConfigResolver(Map.of(), PLACEHOLDER_APP, ServerConfig::builder).resolve(preforkEnv(container));
    }

    /** The container's PREFORK_* env as the server would see it (resourceFieldRef limits.cpu resolved). */
    private static Map<String, String> preforkEnv(Container c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar v : c.getEnv()) {
            if (v.getValue() != null) {
                env.put(v.getName(), v.getValue());
            } else if (v.getValueFrom() != null && v.getValueFrom().getResourceFieldRef() != null) {
                ResourceFieldSelector ref = v.getValueFrom().getResourceFieldRef();
                assertThat(ref.getResource()).as("%s: only limits.cpu is resolved here", v.getName()).isEqualTo("limits.cpu");
                assertThat(ref.getDivisor() == null ? "1" : ref.getDivisor().toString()).as("%s divisor", v.getName()).isEqualTo("1");
                env.put(v.getName(), Integer.toString(K8sManifests.wholeCpus(cpuLimit())));
            }
        }
        return env;
    }

    private static Quantity cpuLimit() {
        Quantity cpu = container.getResources().getLimits().get("cpu");
        assertThat(cpu).as("limits.cpu of container %s", container.getName()).isNotNull();
        return cpu;
    }

    private static String env(ConfigOption option) {
        return container.getEnv().stream().filter(v -> v.getName().equals(option.envVar())).findFirst()
                .map(EnvVar::getValue).orElse(null);
    }

    @Test
    void everyKeyIsKnownToTheKubernetesModel() {
        assertThat(UnknownFields.in(manifests.deployment)).as("unknown keys in deployment.yaml").isEmpty();
        assertThat(UnknownFields.in(manifests.service)).as("unknown keys in service.yaml").isEmpty();
        assertThat(UnknownFields.in(manifests.budget)).as("unknown keys in pdb.yaml").isEmpty();
        assertThat(manifests.deployment.getApiVersion()).isEqualTo("apps/v1");
        assertThat(manifests.budget.getApiVersion()).isEqualTo("policy/v1");
    }

    @Test
    void everyPreforkVariableNamesAContractOption() {
        Set<String> known = Arrays.stream(ConfigOption.values()).map(ConfigOption::envVar).collect(Collectors.toSet());
        List<String> names = container.getEnv().stream().map(EnvVar::getName)
                .filter(n -> n.startsWith("PREFORK_")).collect(Collectors.toList());
        assertThat(names).isNotEmpty().allSatisfy(n -> assertThat(known).as("options of the contract").contains(n));
    }

    @Test
    void terminationGraceCoversDrainDelayGracefulTimeoutAndSlack() {
        assertThat(env(ConfigOption.DRAIN_DELAY)).as("PREFORK_DRAIN_DELAY must be set in the manifest").isNotNull();
        long drain = config.drainDelay().toSeconds();
        long graceful = config.gracefulTimeout().toSeconds();
        assertThat(drain).as("drain delay: load balancers need time to notice").isPositive();
        long grace = manifests.deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
        assertThat(drain + graceful + MIN_SLACK_SECONDS)
                .as("budget rule: drain-delay %d + graceful-timeout %d + slack %d < terminationGracePeriodSeconds",
                        drain, graceful, MIN_SLACK_SECONDS)
                .isLessThan(grace);
    }

    @Test
    void probesUseTheAdminPortWithLivenessOnHealthzAndReadinessOnReadyz() {
        int adminPort = config.admin().port();
        assertThat(config.admin().host()).as("admin must listen beyond loopback for the kubelet").isEqualTo("0.0.0.0");
        HTTPGetAction liveness = httpGet(container.getLivenessProbe(), "liveness");
        HTTPGetAction readiness = httpGet(container.getReadinessProbe(), "readiness");
        assertThat(liveness.getPath()).isEqualTo("/healthz");
        assertThat(readiness.getPath()).isEqualTo("/readyz");
        assertThat(manifests.containerPort(liveness.getPort())).as("liveness port").isEqualTo(adminPort);
        assertThat(manifests.containerPort(readiness.getPort())).as("readiness port").isEqualTo(adminPort);
        assertThat(container.getPorts()).anySatisfy(p -> assertThat(p.getContainerPort()).isEqualTo(adminPort));
    }

    @Test
    void readinessNoticesTheDrainBeforeTheDrainDelayEnds() {
        Probe readiness = container.getReadinessProbe();
        long noticeSeconds = (long) readiness.getPeriodSeconds() * readiness.getFailureThreshold();
        assertThat(noticeSeconds).as("readiness periodSeconds x failureThreshold").isLessThan(config.drainDelay().toSeconds());
    }

    @Test
    void serviceTargetsTheApplicationPortOnlyAndSelectsThePods() {
        int appPort = config.binds().get(0).port();
        assertThat(config.binds()).hasSize(1);
        assertThat(config.binds().get(0).host()).isEqualTo("0.0.0.0");
        List<ServicePort> ports = manifests.service.getSpec().getPorts();
        assertThat(ports).isNotEmpty().allSatisfy(p ->
                assertThat(manifests.containerPort(p.getTargetPort())).as("Service port %s target", p.getName()).isEqualTo(appPort));
        assertThat(container.getPorts()).anySatisfy(p -> assertThat(p.getContainerPort()).isEqualTo(appPort));
        Map<String, String> podLabels = manifests.deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsAllEntriesOf(manifests.service.getSpec().getSelector());
    }

    @Test
    void disruptionBudgetSelectsThePodsAndLetsOneGo() {
        PodDisruptionBudgetSpec spec = manifests.budget.getSpec();
        Map<String, String> podLabels = manifests.deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsAllEntriesOf(spec.getSelector().getMatchLabels());
        int replicas = manifests.deployment.getSpec().getReplicas();
        int allowedDown = spec.getMaxUnavailable() != null
                ? spec.getMaxUnavailable().getIntVal()
                : replicas - spec.getMinAvailable().getIntVal();
        assertThat(allowedDown).as("a node drain must be able to evict a pod").isPositive();
        assertThat(replicas - allowedDown).as("pods left serving during a disruption").isGreaterThanOrEqualTo(2);
    }

    @Test
    void workerCountFollowsTheCpuLimitAndResourcesAreSet() {
        assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
        assertThat(container.getEnv()).as("PREFORK_WORKERS is set, not left to the JVM's CPU count")
                .anySatisfy(v -> assertThat(v.getName()).isEqualTo(ConfigOption.WORKERS.envVar()));
        assertThat(config.workers()).as("one worker per CPU of the limit").isEqualTo(K8sManifests.wholeCpus(cpuLimit()));
    }

    @Test
    void memoryLimitCoversTheMasterAndEveryWorkerHeap() {
        long workerHeap = maxHeapBytes(config.workerJvmOpts());
        long needed = MASTER_MEMORY_BYTES + config.workers() * workerHeap;
        long limit = Quantity.getAmountInBytes(container.getResources().getLimits().get("memory")).longValueExact();
        assertThat(limit).as("limits.memory vs master %d MiB + %d workers x -Xmx %d MiB",
                MASTER_MEMORY_BYTES >> 20, config.workers(), workerHeap >> 20).isGreaterThanOrEqualTo(needed);
    }

    /** The last -Xmx in the worker JVM options, in bytes. */
    private static long maxHeapBytes(List<String> jvmOpts) {
        String xmx = jvmOpts.stream().filter(o -> o.startsWith("-Xmx")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("worker JVM options set no -Xmx: " + jvmOpts));
        String size = xmx.substring(4).toLowerCase(Locale.ROOT);
        char unit = size.charAt(size.length() - 1);
        long shift = unit == 'g' ? 30 : unit == 'm' ? 20 : unit == 'k' ? 10 : 0;
        String digits = Character.isDigit(unit) ? size : size.substring(0, size.length() - 1);
        return Long.parseLong(digits) << shift;
    }

    @Test
    void theImageEntrypointRunsAsPidOneWithoutHooks() {
        assertThat(container.getCommand()).as("command would replace the ENTRYPOINT that makes the master PID 1").isEmpty();
        assertThat(container.getLifecycle()).as("no preStop hook: the drain delay is in-process").isNull();
        PodSpec pod = manifests.deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getShareProcessNamespace()).as("a shared PID namespace would take PID 1 from the master").isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    }

    @Test
    void podsUseTheWorkerCdsArchiveBakedIntoTheImage() {
        ServerConfig imageDefaults = new ConfigResolver(Map.of(), PLACEHOLDER_APP, ServerConfig::builder).resolve(Map.of());
        assertThat(config.workerCds()).as("PREFORK_WORKER_CDS: the image carries an archive").isTrue();
        assertThat(config.workerJvmOpts()).as("the image's archive is made for the default worker options; other "
                + "PREFORK_WORKER_JVM_OPTS find none on the read-only root").isEqualTo(imageDefaults.workerJvmOpts());
        Long runAsUser = manifests.deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser();
        assertThat(runAsUser).as("the archive directory belongs to uid 10001; another uid ignores it")
                .isIn(null, 10001L);
    }

    private static HTTPGetAction httpGet(Probe probe, String which) {
        assertThat(probe).as(which + " probe").isNotNull();
        assertThat(probe.getHttpGet()).as(which + " probe is an HTTP GET").isNotNull();
        return probe.getHttpGet();
    }
}

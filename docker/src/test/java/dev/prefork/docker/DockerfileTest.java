package dev.prefork.docker;

import dev.prefork.core.config.ConfigResolver;
import dev.prefork.core.config.ServerConfig;
import io.fabric8.kubernetes.api.model.ContainerPort;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Checks docker/Dockerfile against the rules and against the Kubernetes manifests' ports. */
class DockerfileTest {
    private static final Pattern ENV_PAIR = Pattern.compile("(\\w+)=(\\S+)");

    static Dockerfile dockerfile;
    static int runtime;

    @BeforeAll
    static void load() {
        dockerfile = Dockerfile.load();
        runtime = dockerfile.stage("runtime");
    }

    @Test
    void bothBaseImagesAreArgumentsWithPublicDefaults() {
        assertThat(dockerfile.globalArgs()).anySatisfy(a -> assertThat(a).startsWith("BASE_IMAGE=eclipse-temurin:17-jre"));
        assertThat(dockerfile.globalArgs()).anySatisfy(a -> assertThat(a).startsWith("BUILD_IMAGE=maven:3-eclipse-temurin-17"));
        assertThat(dockerfile.from(dockerfile.stage("build"))).startsWith("${BUILD_IMAGE}");
        assertThat(dockerfile.from(dockerfile.stage("runtime-base"))).startsWith("${BASE_IMAGE}");
    }

    @Test
    void theDefaultTargetIsTheRuntimeFedByTheMavenStage() {
        assertThat(dockerfile.lastStage()).as("the last stage is what a plain `docker build` makes").isEqualTo(runtime);
        assertThat(dockerfile.all(runtime, "COPY")).anySatisfy(c -> assertThat(c).contains("--from=build"));
        assertThat(dockerfile.all(dockerfile.stage("build"), "RUN")).anySatisfy(r -> assertThat(r).contains("mvn "));
    }

    @Test
    void runsAsANonRootUserAndStopsOnSigterm() {
        String user = dockerfile.last(runtime, "USER").orElseThrow(() -> new AssertionError("no USER"));
        assertThat(user.split(":")[0]).as("numeric uid, so Kubernetes can verify runAsNonRoot").matches("\\d+").isNotEqualTo("0");
        assertThat(dockerfile.last(runtime, "STOPSIGNAL")).hasValue("SIGTERM");
    }

    @Test
    void bothTargetsBakeTheWorkerCdsArchiveWhereTheEntrypointLooks() {
        String entrypoint = dockerfile.last(runtime, "ENTRYPOINT").orElseThrow(() -> new AssertionError("no ENTRYPOINT"));
        Matcher cdsDir = Pattern.compile("-Dprefork\\.cdsDir=([^\"\\s]+)").matcher(entrypoint);
        assertThat(cdsDir.find()).as("the master is told where the baked archive is: %s", entrypoint).isTrue();
        for (String target : List.of("runtime", "prebuilt")) {
            List<Dockerfile.Instruction> steps = dockerfile.effective(dockerfile.stage(target));
            int copyJar = -1;
            int bake = -1;
            for (int i = 0; i < steps.size(); i++) {
                Dockerfile.Instruction step = steps.get(i);
                if (step.keyword.equals("COPY") && step.arguments.endsWith(" /app/prefork-example.jar")) {
                    copyJar = i;
                } else if (step.keyword.equals("RUN") && step.arguments.contains("--prepare-worker-cds")) {
                    bake = i;
                    assertThat(step.arguments).contains("-Dprefork.cdsDir=" + cdsDir.group(1) + " ")
                            .contains("-jar /app/prefork-example.jar");
                }
            }
            assertThat(copyJar).as("target %s copies the jar", target).isNotNegative();
            assertThat(bake).as("target %s makes the archive after the jar is in place, as it will run", target)
                    .isGreaterThan(copyJar);
        }
    }

    @Test
    void theMasterJvmIsPidOne() {
        String entrypoint = dockerfile.last(runtime, "ENTRYPOINT").orElseThrow(() -> new AssertionError("no ENTRYPOINT"));
        assertThat(entrypoint).as("exec form (a JSON array): no shell in between").startsWith("[").endsWith("]");
        List<String> argv = Arrays.stream(entrypoint.substring(1, entrypoint.length() - 1).split(","))
                .map(s -> s.strip().replaceAll("^\"|\"$", "")).collect(Collectors.toList());
        assertThat(argv.get(0)).isEqualTo("java");
        assertThat(argv).containsSubsequence("-jar", "/app/prefork-example.jar");
    }

    @Test
    void exposedPortsAreTheConfiguredOnesAndTheManifestsContainerPorts() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : dockerfile.all(runtime, "ENV")) {
            Matcher m = ENV_PAIR.matcher(line);
            while (m.find()) {
                env.put(m.group(1), m.group(2));
            }
        }
        ServerConfig config = new ConfigResolver(Map.of(), ManifestTest.PLACEHOLDER_APP, ServerConfig::builder).resolve(env);
        int appPort = config.binds().get(0).port();
        int adminPort = config.admin().port();
        assertThat(config.binds().get(0).host()).isEqualTo("0.0.0.0");
        assertThat(config.admin().host()).isEqualTo("0.0.0.0");
        List<Integer> exposed = dockerfile.all(runtime, "EXPOSE").stream()
                .flatMap(e -> Arrays.stream(e.split("\\s+"))).map(p -> Integer.parseInt(p.replace("/tcp", "")))
                .collect(Collectors.toList());
        assertThat(exposed).containsExactlyInAnyOrder(appPort, adminPort);
        List<Integer> manifestPorts = K8sManifests.load().container().getPorts().stream()
                .map(ContainerPort::getContainerPort).collect(Collectors.toList());
        assertThat(manifestPorts).containsExactlyInAnyOrderElementsOf(exposed);
    }

    @Test
    void theExecTargetRunsTheServiceJarThroughTheRunnableMasterWithTheAgentBesideIt() {
        int exec = dockerfile.stage("exec");
        assertThat(exec).as("not the default target").isLessThan(runtime);
        assertThat(dockerfile.last(exec, "ENTRYPOINT").orElseThrow()).contains("\"-jar\", \"/opt/prefork/prefork.jar\"");
        assertThat(dockerfile.all(exec, "COPY")).anySatisfy(c -> assertThat(c)
                .contains("server-master/target/prefork.jar server-master/target/prefork-agent.jar /opt/prefork/"));
        assertThat(dockerfile.all(exec, "COPY")).anySatisfy(c -> assertThat(c).contains("${SERVICE_JAR} /app/service.jar"));
        assertThat(dockerfile.all(exec, "ENV")).anySatisfy(e -> assertThat(e)
                .contains("PREFORK_WORKER_COMMAND=").contains("-jar /app/service.jar"));
    }
}

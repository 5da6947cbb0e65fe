package dev.prefork.docker;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The image carries the workers' AppCDS archive, made at image build ({@code --prepare-worker-cds}): every worker
 * maps it from the very first boot, on a read-only root file system as in the Kubernetes manifests, and no
 * container trains one. Worker options the archive was not made for leave the master serving without one.
 */
class ContainerCdsIT {
    private static final String CDS_DIR = "/opt/prefork/cds/";
    private static final String TRAINING_MAIN = "dev.prefork.worker.runtime.CdsTraining";
    private static final String WORKER_MAIN = "dev.prefork.worker.WorkerMain";
    private static final Pattern MAPS_LINE = Pattern.compile("worker pid (\\d+) maps the CDS archive (\\S+):");

    @BeforeAll
    static void dockerIsPresent() {
        assertThat(DockerClientFactory.instance().isDockerAvailable())
                .as("Docker must be reachable (DOCKER_HOST=%s): run .ci/docker-setup.sh", System.getenv("DOCKER_HOST"))
                .isTrue();
    }

    @Test
    void everyWorkerMapsTheBakedArchiveFromItsFirstBootAndNoContainerTrains() {
        try (PreforkContainer c = PreforkContainer.start("cds", Map.of("PREFORK_WORKERS", "2"), false, true)) {
            Map<Long, String> workers = workers(c);
            assertThat(workers).hasSize(2);
            assertThat(c.metrics().sum("prefork_worker_restarts_total")).as("first-boot workers, none replaced").isZero();
            for (long pid : workers.keySet()) {
                assertThat(c.sh("cat /proc/" + pid + "/maps").getStdout())
                        .as("worker pid %d maps the baked archive", pid).contains(CDS_DIR + "worker-");
                assertThat(workers.get(pid)).contains("-XX:SharedArchiveFile=" + CDS_DIR);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> MAPS_LINE.matcher(c.logs()).find());
            Matcher proof = MAPS_LINE.matcher(c.logs());
            assertThat(proof.find()).isTrue();
            assertThat(workers).as("the master's proof names a first-boot worker").containsKey(Long.parseLong(proof.group(1)));
            assertThat(proof.group(2)).startsWith(CDS_DIR);

            assertThat(c.logs()).as("no training run in the container")
                    .doesNotContain("creating the workers' CDS archive").doesNotContain("read-only");
            assertThat(c.processes().values()).noneMatch(cmd -> cmd.contains(TRAINING_MAIN));
            assertThat(c.sh("ls " + CDS_DIR).getStdout().lines().filter(n -> n.endsWith(".jsa")))
                    .as("the baked archive only").hasSize(1);
            assertThat(c.app("/").status).isEqualTo(200);
        }
    }

    @Test
    void otherWorkerOptionsOnAReadOnlyRootServeWithoutAnArchive() {
        Map<String, String> env = Map.of("PREFORK_WORKERS", "1",
                "PREFORK_WORKER_JVM_OPTS", "-XX:+UseSerialGC -Xms16m -Xmx96m");
        try (PreforkContainer c = PreforkContainer.start("cds-other-opts", env, false, true)) {
            assertThat(c.app("/").status).isEqualTo(200);
            assertThat(c.logs()).contains("is read-only and has no archive")
                    .doesNotContain("creating the workers' CDS archive").doesNotContain("maps the CDS archive");
            assertThat(workers(c).values()).allMatch(cmd -> !cmd.contains("SharedArchiveFile"));
            assertThat(c.processes().values()).noneMatch(cmd -> cmd.contains(TRAINING_MAIN));
        }
    }

    /** Worker JVMs by pid (the container is ready: its workers run). */
    private static Map<Long, String> workers(PreforkContainer c) {
        return c.processes().entrySet().stream()
                .filter(e -> e.getValue().contains(WORKER_MAIN) && !e.getValue().startsWith("sh "))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}

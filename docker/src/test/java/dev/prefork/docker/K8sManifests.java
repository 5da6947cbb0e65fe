package dev.prefork.docker;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;

/** The manifests under docker/k8s, parsed into fabric8's Kubernetes model, with the look-ups the checks need. */
final class K8sManifests {
    static final String CONTAINER_NAME = "prefork";

    final Deployment deployment;
    final Service service;
    final PodDisruptionBudget budget;

    private K8sManifests(Deployment deployment, Service service, PodDisruptionBudget budget) {
        this.deployment = deployment;
        this.service = service;
        this.budget = budget;
    }

    /** Reads {@code deployment.yaml}, {@code service.yaml} and {@code pdb.yaml} from system property prefork.k8s.dir. */
    static K8sManifests load() {
        Path dir = Path.of(System.getProperty("prefork.k8s.dir", "k8s"));
        return new K8sManifests(
                read(dir.resolve("deployment.yaml"), Deployment.class),
                read(dir.resolve("service.yaml"), Service.class),
                read(dir.resolve("pdb.yaml"), PodDisruptionBudget.class));
    }

    private static <T> T read(Path file, Class<T> type) {
        try (InputStream in = Files.newInputStream(file)) {
            T parsed = Serialization.unmarshal(in, type);
            if (parsed == null) {
                throw new IllegalStateException(file + " holds no " + type.getSimpleName());
            }
            return parsed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read manifest " + file.toAbsolutePath()
                    + " (run from the docker module, or set -Dprefork.k8s.dir)", e);
        }
    }

    Container container() {
        return deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> CONTAINER_NAME.equals(c.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the Deployment has no container named " + CONTAINER_NAME));
    }

    /** The container port a probe or a Service targets: by number, or by the name of a containerPort. */
    int containerPort(IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return container().getPorts().stream()
                .filter(p -> port.getStrVal().equals(p.getName()))
                .map(ContainerPort::getContainerPort)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no containerPort is named '" + port.getStrVal() + "'"));
    }

    /** Whole CPUs of a quantity, rounded up as the Downward API does with divisor 1 (e.g. 1500m -> 2). */
    static int wholeCpus(Quantity cpu) {
        return Quantity.getAmountInBytes(cpu).setScale(0, RoundingMode.CEILING).max(BigDecimal.ONE).intValueExact();
    }
}

package dev.prefork.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One container of the Prefork image under test, with the HTTP, exec and stop operations the tests use. */
final class PreforkContainer implements AutoCloseable {
    /** The image under test: the one place that names it (system property prefork.image, set by the pom). */
    static final String IMAGE = System.getProperty("prefork.image", "prefork-example:test");
    static final int APP_PORT = 8000;
    static final int ADMIN_PORT = 9000;
    static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(PreforkContainer.class);

    private final GenericContainer<?> container;

    private PreforkContainer(GenericContainer<?> container) {
        this.container = container;
    }

    /**
     * Starts the image with these {@code PREFORK_*} variables and waits for {@code /readyz} 200.
     *
     * @param underTini run with {@code docker run --init}: tini is PID 1 and the master its child
     */
    static PreforkContainer start(String name, Map<String, String> env, boolean underTini) {
        return start(name, env, underTini, false);
    }

    /**
     * @param readOnlyRoot as the Kubernetes manifests: a read-only root file system with a writable {@code /tmp}
     *                     (exec allowed, like an emptyDir: Netty unpacks its native library there)
     */
    static PreforkContainer start(String name, Map<String, String> env, boolean underTini, boolean readOnlyRoot) {
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withExposedPorts(APP_PORT, ADMIN_PORT)
                .withEnv(env)
                .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("container." + name)).withSeparateOutputStreams())
                .waitingFor(Wait.forHttp("/readyz").forPort(ADMIN_PORT).forStatusCode(200)
                        .withStartupTimeout(Duration.ofSeconds(60)));
        if (underTini) {
            c.withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withInit(true));
        }
        if (readOnlyRoot) {
            c.withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withReadonlyRootfs(true)
                    .withTmpFs(Map.of("/tmp", "rw,exec,size=64m")));
        }
        PreforkContainer started = new PreforkContainer(c);
        try {
            c.start();
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
        LOG.info("container {} ({}) ready: app {}:{}, admin {}:{}", name, c.getContainerId(), c.getHost(),
                c.getMappedPort(APP_PORT), c.getHost(), c.getMappedPort(ADMIN_PORT));
        return started;
    }

    String host() {
        return container.getHost();
    }

    int appPort() {
        return container.getMappedPort(APP_PORT);
    }

    int adminPort() {
        return container.getMappedPort(ADMIN_PORT);
    }

    String id() {
        return container.getContainerId();
    }

    RawHttp.Response app(String path) {
        return RawHttp.get(host(), appPort(), path, HTTP_TIMEOUT);
    }

    RawHttp.InFlight sendApp(String path) {
        return RawHttp.send(host(), appPort(), path, HTTP_TIMEOUT);
    }

    RawHttp.Response admin(String path) {
        return RawHttp.get(host(), adminPort(), path, HTTP_TIMEOUT);
    }

    /** A fresh scrape of /metrics; fails unless it answers 200. */
    PrometheusText metrics() {
        RawHttp.Response r = admin("/metrics");
        if (r.status != 200) {
            throw new AssertionError("GET /metrics: " + r);
        }
        return PrometheusText.parse(r.body);
    }

    /** Runs {@code sh -c command} inside the container (as the image's user). */
    ExecResult sh(String command) {
        try {
            return container.execInContainer("sh", "-c", command);
        } catch (IOException e) {
            throw new IllegalStateException("docker exec sh -c '" + command + "' in " + id() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during docker exec in " + id(), e);
        }
    }

    /** Everything the container wrote to stdout and stderr so far (the master's log). */
    String logs() {
        return container.getLogs();
    }

    /** Pid and command line of every process in the container, read from /proc (no ps in the image). */
    Map<Long, String> processes() {
        ExecResult r = sh("for p in /proc/[0-9]*; do printf '%s ' \"${p#/proc/}\"; tr '\\0' ' ' < \"$p/cmdline\" 2>/dev/null; echo; done");
        Map<Long, String> processes = new java.util.TreeMap<>();
        for (String line : r.getStdout().split("\n")) {
            int space = line.indexOf(' ');
            if (space > 0 && !line.substring(space + 1).isBlank()) {
                processes.put(Long.parseLong(line.substring(0, space)), line.substring(space + 1).strip());
            }
        }
        return processes;
    }

    /** Pids of processes in state Z (exited, not reaped) inside the container, read from /proc. */
    List<String> zombies() {
        ExecResult r = sh("for f in /proc/[0-9]*/stat; do cat \"$f\" 2>/dev/null; echo; done");
        List<String> zombies = new ArrayList<>();
        for (String line : r.getStdout().split("\n")) {
            int paren = line.lastIndexOf(')');
            if (paren > 0 && line.length() > paren + 2 && line.charAt(paren + 2) == 'Z') {
                zombies.add(line.substring(0, line.indexOf(' ')) + " " + line.substring(line.indexOf('('), paren + 1));
            }
        }
        return zombies;
    }

    /** {@code docker stop -t seconds}: SIGTERM (the image's STOPSIGNAL), SIGKILL after the timeout; blocks. */
    void dockerStop(int seconds) {
        client().stopContainerCmd(id()).withTimeout(seconds).exec();
    }

    InspectContainerResponse.ContainerState state() {
        return client().inspectContainerCmd(id()).exec().getState();
    }

    private static DockerClient client() {
        return DockerClientFactory.instance().client();
    }

    /** Removes the container whatever its state (Testcontainers kills it first if it still runs). */
    @Override
    public void close() {
        container.stop();
    }
}

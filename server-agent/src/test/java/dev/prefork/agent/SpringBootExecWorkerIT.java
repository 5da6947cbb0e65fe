package dev.prefork.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.core.ExitCodes;
import dev.prefork.core.control.ControlMessage;
import dev.prefork.core.segment.SegmentField;
import dev.prefork.core.segment.SegmentSnapshot;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unmodified Spring Boot example fat jar run as an exec worker: Tomcat on fd 0, counting, drain, orphaning. */
class SpringBootExecWorkerIT {
    static final Path EXAMPLE_JAR = Paths.get(System.getProperty("prefork.springBootExampleJar",
            "../examples/spring-boot/target/prefork-spring-boot-example.jar"));
    static final Duration BOOT = Duration.ofSeconds(90);
    static final String SECRET = "spring-it-secret";
    static final List<String> APP = List.of("-Xshare:auto", "-jar", EXAMPLE_JAR.toAbsolutePath().toString());

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void exampleJarIsBuilt() {
        assertThat(EXAMPLE_JAR).as("the Spring Boot example jar (mvn package builds it before this module)").isRegularFile();
    }

    @Test
    void tomcatServesTheInheritedSocketCountsRequestsAndDrainsGracefully() throws Exception {
        try (StandInMaster master = new StandInMaster(SECRET);
             WorkerProcess worker = WorkerProcess.start(AgentBootIT.args(master), SECRET, master, APP)) {
            master.await(ControlMessage.Ready.class, BOOT);

            HttpResponse<String> hello = get(master, "/");
            assertThat(hello.statusCode()).isEqualTo(200);
            assertThat(hello.headers().firstValue("X-Worker-Pid")).hasValue(Long.toString(worker.pid()));
            assertThat(hello.body()).contains("pid " + worker.pid());
            // Usually the glue's report; on a loaded machine the agent's /proc poll may see the acceptor first.
            assertThat(worker.stderr()).noneMatch(l -> l.contains("boot failed"))
                    .anyMatch(l -> l.contains("ready: the framework glue reports its server started on fd 0")
                            || l.contains("ready: a thread of the application waits to accept on fd 0"));

            // The glue's counts land in the segment: requests, status class, the duration histogram; JVM figures too.
            SegmentSnapshot seg = master.awaitSegment(worker.pid(), "the request and JVM figures in the segment",
                    s -> s.get(SegmentField.REQUESTS) >= 1 && s.get(SegmentField.JVM_SAMPLED_AT_MILLIS) > 0, BOOT);
            assertThat(seg.get(SegmentField.STATUS_2XX)).isEqualTo(seg.get(SegmentField.REQUESTS));
            assertThat(java.util.Arrays.stream(seg.buckets()).sum()).isEqualTo(seg.get(SegmentField.REQUESTS));
            assertThat(seg.get(SegmentField.REQUEST_DURATION_NANOS)).isPositive();
            assertThat(seg.get(SegmentField.HEAP_USED_BYTES)).isPositive();
            assertThat(seg.get(SegmentField.LIVE_THREADS)).isGreaterThan(5);
            assertThat(seg.get(SegmentField.RSS_BYTES)).isPositive();

            CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(
                    request(master, "/sleep?ms=2000"), HttpResponse.BodyHandlers.ofString());
            master.awaitSegment(worker.pid(), "a request in flight", s -> s.get(SegmentField.REQUESTS_IN_FLIGHT) >= 1, BOOT);
            master.send(new ControlMessage.Drain(0, 10_000));

            HttpResponse<String> slow = inFlight.get(30, TimeUnit.SECONDS);
            assertThat(slow.statusCode()).isEqualTo(200);
            assertThat(slow.body()).isEqualTo("slept 2000 ms\n");
            assertThat(worker.stderr()).anyMatch(l -> l.endsWith("drain: listener closed (fd 0)"));
            // Written by the application after the listener was closed: fds 1 and 2 survived the JDK's close.
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> worker.stdout().stream().anyMatch(l -> l.equals("slept 2000 ms in pid " + worker.pid())));
            assertThat(worker.awaitExit(Duration.ofSeconds(60))).isEqualTo(128 + 15);
            // At exit the agent ends its control reader itself (so HotSpot does not wait for it in recv); that end
            // of file is its own doing, not the master's death.
            assertThat(worker.stderr()).noneMatch(l -> l.contains("the master is gone"));
            assertThat(worker.stdout()).anyMatch(l -> l.contains("Graceful shutdown complete"));
            // The HttpClient keeps its earlier connection idle in its pool and sends nothing more on it: the
            // agent waits for it up to its limit (5 s of this 10 s budget), then the SIGTERM shutdown closes it.
            assertThat(worker.stderr()).as("the agent waited for the connections before SIGTERM")
                    .anyMatch(l -> l.contains("drain: the server closes each keep-alive connection after its next "
                            + "response; waiting up to 5000 ms"))
                    .anyMatch(l -> l.contains("drain: no client connection left after")
                            || l.contains("drain: 1 client connection(s) still open after"));
        }
    }

    @Test
    void masterGoneHaltsTheApplicationAsOrphaned() throws Exception {
        try (StandInMaster master = new StandInMaster(SECRET);
             WorkerProcess worker = WorkerProcess.start(AgentBootIT.args(master), SECRET, master, APP)) {
            master.await(ControlMessage.Ready.class, BOOT);
            assertThat(get(master, "/").statusCode()).isEqualTo(200);
            master.closeControlConnection();
            assertThat(worker.awaitExit(Duration.ofSeconds(30))).isEqualTo(ExitCodes.WORKER_ORPHANED);
        }
    }

    /**
     * Spring Boot from a plain class path (no fat-jar loader): the glue goes onto the system class path. Also
     * --max-requests: the glue's counts reach the agent, which asks to be recycled.
     */
    @Test
    void classPathLaunchGetsTheGlueToo(@TempDir Path unpacked) throws Exception {
        try (ZipFile jar = new ZipFile(EXAMPLE_JAR.toFile())) {
            for (ZipEntry entry : Collections.list(jar.entries())) {
                Path target = unpacked.resolve(entry.getName()).normalize();
                if (!target.startsWith(unpacked) || entry.isDirectory()) {
                    continue;
                }
                Files.createDirectories(target.getParent());
                try (InputStream in = jar.getInputStream(entry)) {
                    Files.copy(in, target);
                }
            }
        }
        List<String> classPathApp = List.of("-cp", unpacked.resolve("BOOT-INF/classes") + ":" + unpacked.resolve("BOOT-INF/lib") + "/*",
                "dev.prefork.examples.springboot.ExampleApplication");
        try (StandInMaster master = new StandInMaster(SECRET);
             WorkerProcess worker = WorkerProcess.start(AgentBootIT.args(master) + ",max-requests=2", SECRET, master,
                     classPathApp)) {
            master.await(ControlMessage.Ready.class, BOOT);
            assertThat(worker.stderr()).anyMatch(l -> l.contains("Spring Boot: glue added to jdk.internal.loader.ClassLoaders$AppClassLoader"));
            assertThat(get(master, "/").headers().firstValue("X-Worker-Pid")).hasValue(Long.toString(worker.pid()));
            assertThat(master.received(ControlMessage.RecycleRequest.class)).isEmpty();
            assertThat(get(master, "/").statusCode()).isEqualTo(200);
            assertThat(master.await(ControlMessage.RecycleRequest.class, Duration.ofSeconds(30)).requestsServed()).isEqualTo(2);
            master.send(new ControlMessage.Stop());
            assertThat(worker.awaitExit(Duration.ofSeconds(30))).isEqualTo(ExitCodes.WORKER_OK);
        }
    }

    private HttpResponse<String> get(StandInMaster master, String path) throws Exception {
        return http.send(request(master, path), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(StandInMaster master, String path) throws Exception {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + master.port() + path))
                .timeout(Duration.ofSeconds(30)).build();
    }
}

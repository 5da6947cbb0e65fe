package dev.prefork.master.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prefork.core.config.BindAddress;
import dev.prefork.master.net.BindException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminServerTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicBoolean healthy = new AtomicBoolean(true);
    private final AtomicBoolean ready = new AtomicBoolean(false);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private AdminServer admin;

    @BeforeEach
    void start() {
        admin = AdminServer.start(new BindAddress("127.0.0.1", 0), registry, healthy::get, ready::get);
    }

    @AfterEach
    void stop() {
        admin.close();
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path))
                .timeout(Duration.ofSeconds(5))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void turnsOffNagleSoAKeepAliveScraperDoesNotWaitForTheDelayedAck() {
        // Set in start() (in setUp) unless the user chose; without it each reused-connection answer took ~40 ms.
        assertThat(System.getProperty(AdminServer.NODELAY_PROPERTY)).isEqualTo("true");
    }

    @Test
    void metricsAreThePrometheusScrape() throws Exception {
        registry.counter("prefork.worker.restarts", "reason", "crashed").increment(3);

        HttpResponse<String> response = send("GET", "/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.body()).contains("prefork_worker_restarts_total{reason=\"crashed\"} 3.0");
    }

    @Test
    void healthzFollowsTheHealthCheck() throws Exception {
        HttpResponse<String> up = send("GET", "/healthz");
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.body()).isEqualTo("ok");

        healthy.set(false);
        assertThat(send("GET", "/healthz").statusCode()).isEqualTo(503);
    }

    @Test
    void readyzFollowsReadiness() throws Exception {
        HttpResponse<String> notReady = send("GET", "/readyz");
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(notReady.body()).isEqualTo("not ready");

        ready.set(true);
        HttpResponse<String> isReady = send("GET", "/readyz?verbose=1");
        assertThat(isReady.statusCode()).isEqualTo(200);
        assertThat(isReady.body()).isEqualTo("ready");
    }

    @Test
    void headIsAnsweredWithoutABody() throws Exception {
        HttpResponse<String> response = send("HEAD", "/healthz");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void unknownPathsAre404AndOtherMethods405() throws Exception {
        assertThat(send("GET", "/nope").statusCode()).isEqualTo(404);
        assertThat(send("GET", "/").statusCode()).isEqualTo(404);

        HttpResponse<String> post = send("POST", "/metrics");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        assertThat(send("DELETE", "/healthz").statusCode()).isEqualTo(405);
    }

    @Test
    void aFailingCheckIsA500AndTheServerKeepsServing() throws Exception {
        AdminServer broken = AdminServer.start(new BindAddress("127.0.0.1", 0), registry,
                () -> {
                    throw new IllegalStateException("boom");
                }, ready::get);
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broken.port() + "/healthz"))
                    .timeout(Duration.ofSeconds(5)).build();
            assertThat(client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(500);
            HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broken.port() + "/readyz"))
                    .timeout(Duration.ofSeconds(5)).build();
            assertThat(client.send(readyz, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
        } finally {
            broken.close();
        }
    }

    @Test
    void aBusyPortIsABindExceptionNamingTheOption() throws Exception {
        try (ServerSocket occupant = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = occupant.getLocalPort();

            assertThatThrownBy(() -> AdminServer.start(new BindAddress("127.0.0.1", port), registry, healthy::get,
                    ready::get))
                    .isInstanceOf(BindException.class)
                    .hasMessageStartingWith("--admin 127.0.0.1:" + port + ": cannot bind (")
                    .hasMessageContaining("in use")
                    .hasMessageContaining("--admin off");
        }
    }

    @Test
    void closeReleasesThePort() throws Exception {
        int port = admin.port();
        admin.close();

        admin = AdminServer.start(new BindAddress("127.0.0.1", port), registry, healthy::get, ready::get);
        assertThat(send("GET", "/healthz").statusCode()).isEqualTo(200);
    }
}

package dev.prefork.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The application-facing request and response types. */
class ApiTest {
    @Test
    void requestExposesPathQueryHeadersAndBodyWithoutLettingThemChange() {
        HttpHeaders headers = new DefaultHttpHeaders().add("X-A", "1").add("x-a", "2").add("Host", "h");
        byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.of("GET", "/p/q?x=1&y=%20z&x=3", headers, body, null);
        assertThat(request.path()).isEqualTo("/p/q");
        assertThat(request.queryParameters()).containsExactly(Map.entry("x", List.of("1", "3")),
                Map.entry("y", List.of(" z")));
        assertThat(request.queryParameter("y")).isEqualTo(" z");
        assertThat(request.header("x-A")).isEqualTo("1");
        assertThat(request.headers("X-A")).containsExactly("1", "2");
        assertThat(request.headers()).containsEntry("X-A", List.of("1", "2")).containsEntry("host", List.of("h"));
        request.body()[0] = 'j';
        assertThat(request.bodyText()).isEqualTo("hello");
        assertThatThrownBy(() -> request.queryParameters().put("z", List.of()))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(HttpRequest.of("GET", "/").queryParameters()).isEmpty();
        assertThat(HttpRequest.of("GET", "/a#frag").path()).isEqualTo("/a");
    }

    @Test
    void pathOfEveryRequestTargetForm() {
        assertThat(HttpRequest.of("GET", "http://example.com/a/b?q=1#f").path()).isEqualTo("/a/b");
        assertThat(HttpRequest.of("GET", "https://example.com:8443").path()).isEqualTo("/");
        assertThat(HttpRequest.of("GET", "http://example.com?q=1").path()).isEqualTo("/");
        assertThat(HttpRequest.of("GET", "http://example.com/a?q=1").queryParameter("q")).isEqualTo("1");
        assertThat(HttpRequest.of("GET", "http://example.com/a?q=1").uri()).isEqualTo("http://example.com/a?q=1");
        assertThat(HttpRequest.of("GET", "//double/slash?x").path()).isEqualTo("//double/slash");
        assertThat(HttpRequest.of("OPTIONS", "*").path()).isEqualTo("*");
        assertThat(HttpRequest.of("CONNECT", "example.com:443").path()).isEqualTo("example.com:443");
    }

    @Test
    void responsesAreImmutableValues() {
        HttpResponse ok = HttpResponse.ok("hi");
        HttpResponse tagged = ok.withHeader("X-T", "1");
        assertThat(ok.headers()).hasSize(1);
        assertThat(tagged.headers()).hasSize(2);
        assertThat(tagged.header("x-t")).isEqualTo("1");
        assertThat(tagged.header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
        byte[] bytes = {1, 2, 3};
        HttpResponse raw = HttpResponse.bytes(201, null, bytes);
        bytes[0] = 9;
        assertThat(raw.body()).containsExactly(1, 2, 3);
        assertThat(raw.bodyBuffer().isReadOnly()).isTrue();
        assertThat(HttpResponse.of(204).bodyLength()).isZero();
        assertThatThrownBy(() -> HttpResponse.of(42)).hasMessageContaining("42");
    }

    @Test
    void headersAreValidatedWhenAdded() {
        assertThatThrownBy(() -> HttpResponse.ok("x").withHeader("X-Bad", "a\r\nSet-Cookie: y"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("X-Bad").hasMessageContaining("index 1");
        assertThatThrownBy(() -> HttpResponse.ok("x").withHeader("Bad Name", "v"))
                .hasMessageContaining("'Bad Name' is not an HTTP token");
        assertThatThrownBy(() -> HttpResponse.ok("x").withHeader("Transfer-Encoding", "chunked"))
                .hasMessageContaining("Content-Length");
        assertThatThrownBy(() -> HttpResponse.bytes(200, "text/plain\n", new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

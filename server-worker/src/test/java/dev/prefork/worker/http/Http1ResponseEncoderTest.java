package dev.prefork.worker.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefork.worker.HttpResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.util.CharsetUtil;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The direct HTTP/1.1 encoding writes the same bytes as Netty's response encoder given the same response with the
 * server's headers ({@link NettyResponses#toNetty} through {@link HttpResponseEncoder}), which is what the server
 * wrote before, for every status class, HEAD, HTTP/1.0, keep-alive and close, and headers the application set that
 * the server owns.
 */
class Http1ResponseEncoderTest {
    private static final byte[] LARGE = new byte[70_000];

    static {
        for (int i = 0; i < LARGE.length; i++) {
            LARGE[i] = (byte) ('a' + i % 26);
        }
    }

    private static List<HttpResponse> responses() {
        List<HttpResponse> all = new ArrayList<>();
        for (int status : new int[] {100, 101, 103, 200, 201, 204, 205, 206, 301, 304, 400, 404, 418, 431, 500, 503,
                599, 600, 799, 999}) {
            all.add(HttpResponse.text(status, "body of " + status + "\n"));
            all.add(HttpResponse.of(status));
        }
        all.add(HttpResponse.text(101, "ws").withHeader("Sec-WebSocket-Version", "13"));
        all.add(HttpResponse.ok("hi").withHeader("X-Worker-Pid", "123").withHeader("Set-Cookie", "a=1")
                .withHeader("Set-Cookie", "b=2"));
        all.add(HttpResponse.ok("own").withHeader("Date", "yesterday").withHeader("Content-Length", "99")
                .withHeader("CONNECTION", "keep-alive"));
        all.add(HttpResponse.ok("bye").withHeader("Connection", "close"));
        all.add(HttpResponse.ok("latin").withHeader("X-Latin", "caf\u00e9 \u00ff"));
        all.add(HttpResponse.bytes(200, "application/octet-stream", LARGE));
        all.add(HttpResponse.bytes(200, null, new byte[0]));
        return all;
    }

    @Test
    void writesTheSameBytesAsNettysEncoder() {
        int compared = 0;
        for (HttpResponse response : responses()) {
            for (boolean http10 : new boolean[] {false, true}) {
                for (boolean keepAlive : new boolean[] {false, true}) {
                    for (boolean head : new boolean[] {false, true}) {
                        String expected = viaNetty(response, http10, keepAlive, head);
                        ByteBuf direct = Http1ResponseEncoder.encode(ByteBufAllocator.DEFAULT, response, http10,
                                keepAlive, head);
                        String actual = withoutDate(direct.toString(CharsetUtil.ISO_8859_1));
                        direct.release();
                        assertThat(actual).as("%s http10=%s keepAlive=%s head=%s", response, http10, keepAlive, head)
                                .isEqualTo(expected);
                        compared++;
                    }
                }
            }
        }
        assertThat(compared).isEqualTo(responses().size() * 8);
    }

    @Test
    void writesADateHeader() {
        ByteBuf direct = Http1ResponseEncoder.encode(ByteBufAllocator.DEFAULT, HttpResponse.ok("x"), false, true, false);
        String head = direct.toString(CharsetUtil.ISO_8859_1);
        direct.release();
        assertThat(head).containsPattern("\r\ndate: \\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT\r\n");
    }

    private static String viaNetty(HttpResponse response, boolean http10, boolean keepAlive, boolean head) {
        EmbeddedChannel ch = new EmbeddedChannel(new HttpResponseEncoder());
        ch.writeOutbound(NettyResponses.toNetty(response, http10, keepAlive, head));
        String out = HttpPipelineTest.output(ch); // without its date line
        ch.finishAndReleaseAll();
        return out;
    }

    private static String withoutDate(String bytes) {
        return bytes.replaceAll("date: [^\r]+\r\n", "");
    }
}

package dev.prefork.examples.jetty;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The example endpoints, the same in every Prefork example: {@code GET /} (text with the pid, header
 * {@code X-Worker-Pid}), {@code GET /sleep?ms=N} (holds a pool thread N ms), {@code GET /burn?ms=N} (spins a CPU
 * N ms), {@code POST /echo} (returns the body).
 */
final class ExampleHandler extends Handler.Abstract {
    private static final String PID = Long.toString(ProcessHandle.current().pid());
    private static final long MAX_MS = 600_000;

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        response.getHeaders().put("X-Worker-Pid", PID);
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        switch (path) {
            case "/" -> {
                if (!"GET".equals(method)) {
                    return methodNotAllowed(response, callback);
                }
                text(response, callback, HttpStatus.OK_200, "Hello from Jetty, pid " + PID + "\n");
            }
            case "/sleep" -> {
                long ms = millis(request);
                if (ms < 0) {
                    return badMs(response, callback);
                }
                Thread.sleep(ms);
                text(response, callback, HttpStatus.OK_200, "slept " + ms + " ms in pid " + PID + "\n");
            }
            case "/burn" -> {
                long ms = millis(request);
                if (ms < 0) {
                    return badMs(response, callback);
                }
                long spins = burn(ms);
                text(response, callback, HttpStatus.OK_200, "burned " + ms + " ms (" + spins + " spins) in pid " + PID + "\n");
            }
            case "/echo" -> {
                if (!"POST".equals(method)) {
                    return methodNotAllowed(response, callback);
                }
                // Blocking read: handle() runs on a pool thread (Handler.Abstract is a blocking handler).
                byte[] body = Content.Source.asInputStream(request).readAllBytes();
                String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
                response.setStatus(HttpStatus.OK_200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, type == null ? "application/octet-stream" : type);
                response.write(true, ByteBuffer.wrap(body), callback);
            }
            default -> text(response, callback, HttpStatus.NOT_FOUND_404, "not found: " + path + "\n");
        }
        return true;
    }

    /** The {@code ms} query parameter, or -1 when absent, malformed or out of 0..600000. */
    private static long millis(Request request) {
        Fields query = Request.extractQueryParameters(request);
        String value = query.getValue("ms");
        if (value == null) {
            return -1;
        }
        try {
            long ms = Long.parseLong(value);
            return ms >= 0 && ms <= MAX_MS ? ms : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long burn(long ms) {
        long deadline = System.nanoTime() + ms * 1_000_000;
        long spins = 0;
        while (System.nanoTime() < deadline) {
            spins++;
        }
        return spins;
    }

    private static boolean badMs(Response response, Callback callback) {
        text(response, callback, HttpStatus.BAD_REQUEST_400, "ms must be a whole number 0.." + MAX_MS + "\n");
        return true;
    }

    private static boolean methodNotAllowed(Response response, Callback callback) {
        text(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "method not allowed\n");
        return true;
    }

    private static void text(Response response, Callback callback, int status, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }
}

package dev.prefork.worker.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannelOption;
import java.util.LinkedHashSet;

/**
 * What one HTTP/2 connection may hold: the bytes of its request bodies being collected, of bodies handed to the
 * application, and of responses waiting for the client's flow-control window. The connection is always read (the
 * client's WINDOW_UPDATEs arrive only that way); while it holds more than {@link #CONNECTION_LIMIT} bytes, or the
 * worker more than its {@link Http2WorkerBudget}:
 * <ul>
 *   <li>a new stream is refused with RST_STREAM(REFUSED_STREAM), which a client may safely retry (RFC 9113 §8.7);</li>
 *   <li>no request-body window is granted: a stream collecting its body gets no WINDOW_UPDATE for what it reads,
 *       so its client can send at most the rest of its stream window. One exception keeps the connection live:
 *       when nothing else it holds will drain by itself (no application call, no response being written), its
 *       oldest stream still gets window, so a client that uploads several large bodies at once finishes them one
 *       by one instead of waiting for ever.</li>
 * </ul>
 * So a connection holds at most {@link #CONNECTION_LIMIT}, plus what its open streams may still send within their
 * windows, plus one body up to the body limit. The connection's window is widened to cover every stream's window
 * ({@link #connectionWindow}), so the streams that wait cannot use up the window the oldest one needs.
 * One instance per connection, used on its event loop.
 */
final class Http2ConnectionBudget {
    /**
     * 8 MiB: above the 6.25 MiB that 100 streams with the default 64 KiB window have in flight, so a client at the
     * defaults uploading at full speed is not held back, and small against the default 256 MiB heap.
     */
    static final long CONNECTION_LIMIT = 8L * 1024 * 1024;

    private final Http2WorkerBudget worker;
    private final long limit;
    private long held;
    /** Streams whose body is with the application or whose response is being written: they drain on their own. */
    private int answering;
    /** Streams collecting a request body, oldest first. */
    private final LinkedHashSet<Stream> receiving = new LinkedHashSet<>();

    Http2ConnectionBudget(Http2WorkerBudget worker) {
        this(worker, CONNECTION_LIMIT);
    }

    Http2ConnectionBudget(Http2WorkerBudget worker, long limit) {
        this.worker = worker;
        this.limit = limit;
    }

    /**
     * The connection-level receive window: every stream's window (capped by HTTP/2's maximum), so that streams
     * not granted more window cannot exhaust it for the one that is.
     */
    static int connectionWindow(int maxConcurrentStreams, int initialWindowSize) {
        return (int) Math.min(Integer.MAX_VALUE, (long) maxConcurrentStreams * initialWindowSize);
    }

    /** False while over budget: the next stream must be refused. */
    boolean admitsNewStream() {
        return !isOver();
    }

    long held() {
        return held;
    }

    /** The account of a new stream, admitted by {@link #admitsNewStream}. */
    Stream open(Channel streamChannel) {
        return new Stream(streamChannel);
    }

    private boolean isOver() {
        return held > limit || worker.isOver();
    }

    private void add(long delta) {
        held += delta;
        worker.add(delta);
    }

    /** Grants or withholds request-body window on each stream collecting a body (see the class comment). */
    private void updateWindows() {
        if (receiving.isEmpty()) {
            return;
        }
        boolean over = isOver();
        Stream oldest = over && answering == 0 ? receiving.iterator().next() : null;
        for (Stream s : receiving) {
            s.grantWindow(!over || s == oldest);
        }
    }

    /** What a stream is doing, as far as what it holds is concerned. */
    enum Phase {
        /** Head not yet read, or a request without a body. */
        OPENED,
        /** Collecting its body: holds the body buffer. */
        RECEIVING,
        /** Its body is with the application, then its response is being written: holds those bytes. */
        ANSWERING,
        /** Closed or answered and written: holds nothing. */
        DONE
    }

    /** One stream's share of the connection's budget. */
    final class Stream {
        private final Channel channel;
        private Phase phase = Phase.OPENED;
        private long charge;
        private boolean granting = true;

        private Stream(Channel channel) {
            this.channel = channel;
        }

        Phase phase() {
            return phase;
        }

        /** OPENED or RECEIVING to RECEIVING: the body buffer now takes {@code bytes}. */
        void receiving(long bytes) {
            if (phase == Phase.DONE || phase == Phase.ANSWERING) {
                return;
            }
            if (phase == Phase.OPENED) {
                phase = Phase.RECEIVING;
                receiving.add(this);
            }
            charge(bytes);
            updateWindows();
        }

        /** OPENED or RECEIVING to ANSWERING: the application, then the response, holds {@code bytes}. */
        void answering(long bytes) {
            if (phase == Phase.DONE) {
                return;
            }
            if (phase != Phase.ANSWERING) {
                if (phase == Phase.RECEIVING) {
                    receiving.remove(this);
                    grantWindow(true); // the body is whole: return what it took of the connection's window
                }
                phase = Phase.ANSWERING;
                answering++;
            }
            charge(bytes);
            updateWindows();
        }

        /** Any phase to DONE: holds nothing any more. Idempotent. */
        void done() {
            if (phase == Phase.DONE) {
                return;
            }
            if (phase == Phase.ANSWERING) {
                answering--;
            }
            // No window to return: Netty gives a closed stream's unconsumed bytes back to the connection itself.
            receiving.remove(this);
            phase = Phase.DONE;
            charge(0);
            updateWindows();
        }

        private void charge(long bytes) {
            add(bytes - charge);
            charge = bytes;
        }

        /** Netty returns the stream's window as it is read only while this is on; turning it on returns the rest. */
        private void grantWindow(boolean grant) {
            if (grant != granting) {
                granting = grant;
                channel.config().setOption(Http2StreamChannelOption.AUTO_STREAM_FLOW_CONTROL, grant);
            }
        }
    }
}

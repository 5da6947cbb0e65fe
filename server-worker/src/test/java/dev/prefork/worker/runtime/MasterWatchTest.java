package dev.prefork.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MasterWatchTest {
    private final List<String> reasons = new CopyOnWriteArrayList<>();

    @Test
    void stdinEofMeansTheMasterIsGone() {
        MasterWatch watch = new MasterWatch(Channels.newChannel(new ByteArrayInputStream("later bytes are ignored\n".getBytes())), 10,
                () -> 10, reasons::add);
        watch.watchStdin();
        assertThat(reasons).containsExactly("stdin reached EOF");
    }

    @Test
    void aFailingStdinMeansTheMasterIsGone() {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("broken pipe");
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                throw new IOException("broken pipe");
            }
        };
        new MasterWatch(Channels.newChannel(broken), 10, () -> 10, reasons::add).watchStdin();
        assertThat(reasons).singleElement().asString().contains("broken pipe");
    }

    @Test
    void aNewParentMeansTheMasterIsGoneAndIsReportedOnce() {
        AtomicLong parent = new AtomicLong(10);
        MasterWatch watch = new MasterWatch(Channels.newChannel(new ByteArrayInputStream(new byte[0])), 10, parent::get, reasons::add);
        assertThat(watch.checkParent()).isFalse();
        parent.set(1);
        assertThat(watch.checkParent()).isTrue();
        watch.watchStdin();
        assertThat(reasons).containsExactly("parent pid is 1, not the master's 10");
    }

    @Test
    void theTestJvmIsOurParentsChildSoTheRealLookupWorks() {
        assertThat(MasterWatch.currentParentPid()).isEqualTo(ProcessHandle.current().parent().orElseThrow().pid());
    }

    @Test
    void stopReleasesTheReaderFromABlockingReadAndReportsNothing() throws Exception {
        Pipe pipe = Pipe.open(); // a blocking read that only EOF, a close or an interrupt ends, like fd 0
        MasterWatch watch = new MasterWatch(pipe.source(), 10, () -> 10, reasons::add);
        watch.start();
        Thread reader = await().atMost(Duration.ofSeconds(5)).until(() -> thread("prefork-stdin-watch"),
                t -> t != null && t.getState() == Thread.State.RUNNABLE);

        watch.stop();

        await().atMost(Duration.ofSeconds(5)).until(() -> !reader.isAlive());
        assertThat(pipe.source().isOpen()).as("the interrupt closes the channel").isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> thread("prefork-parent-watch") == null);
        assertThat(reasons).as("the process ends on purpose: no master-gone report").isEmpty();
        pipe.sink().close();
    }

    private static Thread thread(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElse(null);
    }
}

package dev.prefork.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MasterWatchTest {
    private final List<String> reasons = new CopyOnWriteArrayList<>();

    @Test
    void stdinEofMeansTheMasterIsGone() {
        MasterWatch watch = new MasterWatch(new ByteArrayInputStream("later bytes are ignored\n".getBytes()), 10,
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
        };
        new MasterWatch(broken, 10, () -> 10, reasons::add).watchStdin();
        assertThat(reasons).singleElement().asString().contains("broken pipe");
    }

    @Test
    void aNewParentMeansTheMasterIsGoneAndIsReportedOnce() {
        AtomicLong parent = new AtomicLong(10);
        MasterWatch watch = new MasterWatch(new ByteArrayInputStream(new byte[0]), 10, parent::get, reasons::add);
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
}

package dev.prefork.master.cds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CdsArchiveStoreTest {
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    @TempDir
    Path cache;

    private final CdsArchiveStore store = new CdsArchiveStore(() -> cache, dir -> true, InstantSource.fixed(NOW), CdsFormat.APP_CDS);

    @Test
    void namesArchivesLogsAndPartialFilesByKeyAndGetsTheKeyBack() {
        assertThat(store.archive("abc")).isEqualTo(cache.resolve("worker-abc.jsa"));
        assertThat(store.trainingLog("abc")).isEqualTo(cache.resolve("worker-abc.log"));
        assertThat(store.partial("abc", 77)).isEqualTo(cache.resolve("worker-abc.jsa.77.tmp"));
        assertThat(CdsArchiveStore.keyOf(store.archive("abc"))).isEqualTo("abc");
    }

    @Test
    void publishingKeepsTheNewestArchivesAndDropsPartialFilesOlderThanAnHourByTheClock() throws IOException {
        for (int i = 0; i < 10; i++) {
            touch(store.archive("old" + i), NOW.minus(Duration.ofMinutes(100 - i)));
            touch(store.trainingLog("old" + i), NOW.minus(Duration.ofMinutes(100 - i)));
        }
        Path stale = touch(store.partial("dead", 1), NOW.minus(Duration.ofMinutes(61)));
        Path running = touch(store.partial("other", 2), NOW.minus(Duration.ofMinutes(59)));
        Path partial = touch(store.partial("new", 3), NOW);

        Path archive = store.publish(partial, "new");

        assertThat(archive).isEqualTo(store.archive("new")).isRegularFile();
        assertThat(partial).doesNotExist();
        try (Stream<Path> files = Files.list(cache)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jsa")).sorted())
                    .as("the new one and the 7 newest others").containsExactly("worker-new.jsa", "worker-old3.jsa",
                            "worker-old4.jsa", "worker-old5.jsa", "worker-old6.jsa", "worker-old7.jsa",
                            "worker-old8.jsa", "worker-old9.jsa");
        }
        assertThat(store.trainingLog("old2")).as("an archive's log goes with it").doesNotExist();
        assertThat(store.trainingLog("old3")).exists();
        assertThat(stale).doesNotExist();
        assertThat(running).as("another master may still be writing it").exists();
    }

    private static Path touch(Path file, Instant modified) throws IOException {
        Files.write(file, new byte[] {1});
        Files.setLastModifiedTime(file, FileTime.from(modified));
        return file;
    }
}

package dev.prefork.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SecretReaderTest {
    private static ByteArrayInputStream in(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsOneLineAndNothingMore() throws IOException {
        ByteArrayInputStream stdin = in("abc123\r\nrest");
        assertThat(SecretReader.read(stdin)).isEqualTo("abc123");
        assertThat(new String(stdin.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("rest");
    }

    @Test
    void eofBeforeTheLineIsAnError() {
        assertThatThrownBy(() -> SecretReader.read(in("no newline"))).isInstanceOf(EOFException.class)
                .hasMessageContaining("started by the master");
    }

    @Test
    void anOverlongLineIsRefused() {
        assertThatThrownBy(() -> SecretReader.read(in("x".repeat(600) + "\n"))).isInstanceOf(IOException.class)
                .hasMessageContaining("longer than 512");
    }
}

package dev.prefork.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prefork.worker.Application;
import dev.prefork.worker.HttpHandler;
import org.junit.jupiter.api.Test;

class ApplicationLoaderTest {
    private static final ClassLoader LOADER = ApplicationLoaderTest.class.getClassLoader();

    public static final class NotAnApp {
    }

    public static final class NoDefaultConstructor implements Application {
        public NoDefaultConstructor(String config) {
        }

        @Override
        public HttpHandler handler() {
            return null;
        }
    }

    public static final class ThrowingConstructor implements Application {
        public ThrowingConstructor() {
            throw new IllegalStateException("no config");
        }

        @Override
        public HttpHandler handler() {
            return null;
        }
    }

    @Test
    void loadsAnApplication() throws WorkerBootException {
        assertThat(ApplicationLoader.load(TestApp.class.getName(), LOADER)).isInstanceOf(TestApp.class);
    }

    @Test
    void namesTheClassTheCauseAndTheRemedy() {
        assertThatThrownBy(() -> ApplicationLoader.load("x.Missing", LOADER))
                .hasMessageContaining("x.Missing").hasMessageContaining("not found").hasMessageContaining("-cp");
        assertThatThrownBy(() -> ApplicationLoader.load(NotAnApp.class.getName(), LOADER))
                .hasMessageContaining("does not implement dev.prefork.worker.Application");
        assertThatThrownBy(() -> ApplicationLoader.load(NoDefaultConstructor.class.getName(), LOADER))
                .hasMessageContaining("no public no-argument constructor");
        assertThatThrownBy(() -> ApplicationLoader.load(ThrowingConstructor.class.getName(), LOADER))
                .hasMessageContaining("threw java.lang.IllegalStateException: no config");
        assertThatThrownBy(() -> ApplicationLoader.init(new TestApp.FailingInit(), null))
                .isInstanceOf(WorkerBootException.class).hasMessageContaining("FailingInit.init failed")
                .hasMessageContaining("database unreachable");
    }
}

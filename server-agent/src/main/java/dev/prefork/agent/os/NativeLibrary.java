package dev.prefork.agent.os;

import java.io.IOException;
import java.nio.file.Path;

/** Loads the agent's JNI library from the agent jar, through its copy in the {@link PrivateCache}. */
public final class NativeLibrary {
    private NativeLibrary() {
    }

    public static void load() throws IOException {
        String resource = "/native/linux-" + System.getProperty("os.arch") + "/libpreforkagent.so";
        Path copy;
        try {
            copy = PrivateCache.file(resource, "libpreforkagent.so");
        } catch (IOException e) {
            throw new IOException(e.getMessage() + " (os.arch " + System.getProperty("os.arch")
                    + "; the agent is built for the build machine's platform)", e);
        }
        try {
            System.load(copy.toString());
        } catch (UnsatisfiedLinkError e) {
            throw new IOException("System.load(" + copy + ") failed: " + e.getMessage(), e);
        }
    }
}

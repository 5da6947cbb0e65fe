package dev.prefork.agent.os;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Loads the agent's JNI library from the agent jar through a private copy that is deleted once loaded. */
public final class NativeLibrary {
    private static final String NAME = "libpreforkagent.so";

    private NativeLibrary() {
    }

    /**
     * @param privateDir a directory only this user can read (0700), where the copy lives until it is loaded
     */
    public static void load(Path privateDir) throws IOException {
        String resource = "/native/linux-" + System.getProperty("os.arch") + "/" + NAME;
        Path copy = privateDir.resolve(NAME);
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("the agent jar has no " + resource + ": this agent was built for another "
                        + "platform (os.arch " + System.getProperty("os.arch") + ")");
            }
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
        }
        try {
            System.load(copy.toString());
        } catch (UnsatisfiedLinkError e) {
            throw new IOException("System.load(" + copy + ") failed: " + e.getMessage(), e);
        } finally {
            // The loaded library stays mapped; the file is not needed any more.
            Files.deleteIfExists(copy);
        }
    }
}

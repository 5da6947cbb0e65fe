package dev.prefork.master.process;

import dev.prefork.core.config.ConfigException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the Prefork agent jar is: {@code -Dprefork.agentJar=PATH}, else {@code prefork-agent.jar} beside the jar
 * (or classes directory) the master runs from, as {@code mvn package} leaves it in {@code server-master/target}.
 */
public final class AgentJar {
    public static final String PROPERTY = "prefork.agentJar";
    public static final String FILE_NAME = "prefork-agent.jar";

    private AgentJar() {
    }

    /** @throws ConfigException naming where it looked and the remedy, when there is no agent jar */
    public static Path locate() {
        String configured = System.getProperty(PROPERTY);
        Path jar = configured != null && !configured.isBlank() ? Path.of(configured) : besideTheMaster();
        if (jar == null || !Files.isRegularFile(jar)) {
            throw new ConfigException("-D" + PROPERTY, String.valueOf(jar), "is not a file: exec workers need the "
                    + "Prefork agent jar; keep " + FILE_NAME + " beside prefork.jar (mvn package puts both in "
                    + "server-master/target) or give -D" + PROPERTY + "=PATH to the master's java");
        }
        return jar.toAbsolutePath();
    }

    private static Path besideTheMaster() {
        try {
            Path codeSource = Path.of(AgentJar.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path parent = codeSource.getParent();
            return parent == null ? null : parent.resolve(FILE_NAME);
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }
}

package dev.prefork.agent.spring;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * At a drain (the agent runs {@link #run()} once it has closed the listener), makes the embedded server end each
 * keep-alive connection after that connection's next response, with {@code Connection: close}, as Prefork's native
 * workers do: clients move to the other workers between requests, so the server's own graceful shutdown (at the
 * agent's SIGTERM, once the connections are gone) cuts none under a client's next request. Holds one action per
 * server ({@link TomcatKeepAlive}, {@link JettyKeepAlive}); it names no server type itself, so that Spring can
 * introspect it whichever server is on the class path. It is handed to the agent with its first server action
 * only: without one (a server the glue does not know) the agent does not wait for connections to end.
 */
final class KeepAliveEndsAtDrain implements Runnable {
    private final List<Runnable> serverActions = new CopyOnWriteArrayList<>();
    private final Consumer<Runnable> agent;

    /** @param agent where the agent takes drain actions ({@link AgentBridge#onDrain}) */
    KeepAliveEndsAtDrain(Consumer<Runnable> agent) {
        this.agent = agent;
    }

    synchronized void add(Runnable serverAction) {
        if (serverActions.isEmpty()) {
            agent.accept(this);
        }
        serverActions.add(serverAction);
    }

    @Override
    public void run() {
        for (Runnable action : serverActions) {
            action.run();
        }
    }
}

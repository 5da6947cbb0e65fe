package dev.prefork.master.supervisor;

import dev.prefork.core.control.ControlMessage;
import dev.prefork.master.control.WorkerLink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what the master sends to one worker. */
final class FakeLink implements WorkerLink {
    final List<ControlMessage> sent = new CopyOnWriteArrayList<>();
    volatile boolean closed;
    /** The peer's pid as SO_PEERCRED would give it; -1: unknown (the spawned process itself). */
    volatile long peerPid = -1;

    @Override
    public long peerPid() {
        return peerPid;
    }

    @Override
    public void send(ControlMessage.FromMaster message) {
        if (!closed) {
            sent.add(message);
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}

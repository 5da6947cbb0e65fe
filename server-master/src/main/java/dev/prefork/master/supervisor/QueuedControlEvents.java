package dev.prefork.master.supervisor;

import dev.prefork.core.control.ControlMessage;
import dev.prefork.master.control.ControlEvents;
import dev.prefork.master.control.WorkerLink;
import java.util.Queue;

/** Turns the control server's callbacks into supervision events; runs on the control event loop, so only enqueues. */
final class QueuedControlEvents implements ControlEvents {
    private final Queue<MasterEvent> events;

    QueuedControlEvents(Queue<MasterEvent> events) {
        this.events = events;
    }

    @Override
    public void connected(int workerId, WorkerLink link) {
        events.add(new MasterEvent.WorkerConnected(workerId, link));
    }

    @Override
    public void message(int workerId, ControlMessage.Report message) {
        events.add(new MasterEvent.WorkerMessage(workerId, message));
    }

    @Override
    public void disconnected(int workerId) {
        events.add(new MasterEvent.WorkerDisconnected(workerId));
    }
}

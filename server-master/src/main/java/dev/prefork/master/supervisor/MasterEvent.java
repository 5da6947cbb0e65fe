package dev.prefork.master.supervisor;

import dev.prefork.core.control.ControlMessage;
import dev.prefork.master.control.WorkerLink;

/** Everything that wakes the supervision loop. Producers (signal handlers, control server, process exits) only enqueue. */
sealed interface MasterEvent {

    record SignalReceived(MasterSignal signal) implements MasterEvent {
    }

    record WorkerExited(int workerId, int exitCode) implements MasterEvent {
    }

    record WorkerConnected(int workerId, WorkerLink link) implements MasterEvent {
    }

    record WorkerMessage(int workerId, ControlMessage.Report message) implements MasterEvent {
    }

    record WorkerDisconnected(int workerId) implements MasterEvent {
    }
}

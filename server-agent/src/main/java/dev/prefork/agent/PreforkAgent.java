package dev.prefork.agent;

import dev.prefork.agent.os.NativeLibrary;
import dev.prefork.core.ExitCodes;
import dev.prefork.core.control.ControlMessage;
import dev.prefork.core.segment.SegmentBuffer;
import dev.prefork.core.segment.WorkerSegment;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.util.concurrent.TimeUnit;

/**
 * The Prefork agent ({@code -javaagent:prefork-agent.jar=control=PATH,worker=ID[,sockets=N][,fd=N]
 * [,heartbeat-ms=MS][,max-requests=N][,segment=PATH]}), injected by the master into an unmodified JVM application.
 * Before the application's main: the handshake with the master (secret from stdin, SO_PEERCRED + secret as for
 * native workers), the worker's metrics segment mapped, the listening socket at fd 0 (and fd N), the Spring Boot
 * glue hook. After: see {@link ExecWorker}.
 * On any failure it logs one line, reports BootFailed if the control socket is up, and halts the JVM: it never
 * throws into the application.
 */
public final class PreforkAgent {
    /** The system property that tells framework glue it runs under Prefork. */
    static final String ACTIVE_PROPERTY = "prefork.agent";

    private PreforkAgent() {
    }

    public static void premain(String agentArgs, Instrumentation instrumentation) {
        long start = System.nanoTime();
        AgentArgs args;
        try {
            args = AgentArgs.parse(agentArgs);
        } catch (IllegalArgumentException e) {
            AgentLog.info("boot failed: " + e.getMessage() + "; exiting with code " + ExitCodes.WORKER_BOOT_ERROR);
            Runtime.getRuntime().halt(ExitCodes.WORKER_BOOT_ERROR);
            return;
        }
        AgentLog.worker(args.workerId());
        ControlChannel channel = null;
        try {
            loadNativeLibrary();
            long nativeLoaded = System.nanoTime();
            BootFailure fdTaken = null;
            try {
                InheritedListeners.reserve(args.extraFd());
            } catch (BootFailure e) {
                fdTaken = e; // reported to the master once the control socket is up
            }
            Handshake.Result handshake = Handshake.run(args);
            long handshakeDone = System.nanoTime();
            channel = handshake.channel();
            if (fdTaken != null) {
                throw fdTaken;
            }
            SegmentBuffer segment = attachSegment(args);
            long segmentMapped = System.nanoTime();
            GlueBridge.recordInto(segment);
            InheritedListeners listeners = InheritedListeners.place(handshake.listenFds(), args.extraFd());
            System.setProperty(ACTIVE_PROPERTY, "true");
            SpringGlue.install(instrumentation);
            new ExecWorker(args, channel, listeners, segment, start).start();
            long end = System.nanoTime();
            AgentLog.info("premain " + millis(end - start) + " ms (JNI library " + millis(nativeLoaded - start)
                    + ", handshake with the master " + millis(handshakeDone - nativeLoaded) + ", segment "
                    + millis(segmentMapped - handshakeDone) + ", rest " + millis(end - segmentMapped)
                    + "): listening socket at " + listeners.describe());
        } catch (BootFailure e) {
            failBoot(channel, e.getMessage(), e.exitCode());
        } catch (Throwable e) {
            failBoot(channel, "the Prefork agent failed: " + e, ExitCodes.WORKER_BOOT_ERROR);
        }
    }

    private static String millis(long nanos) {
        return Double.toString(TimeUnit.NANOSECONDS.toMicros(nanos) / 1000.0);
    }

    /**
     * Maps the segment the master made for this worker and stamps this JVM's pid in it (the master checks it: the
     * JVM behind a launcher script is not the process it spawned); without one, figures stay in memory.
     */
    private static SegmentBuffer attachSegment(AgentArgs args) throws BootFailure {
        if (args.segment().isEmpty()) {
            return SegmentBuffer.inMemory();
        }
        try {
            return WorkerSegment.attach(java.nio.file.Path.of(args.segment()), args.workerId(),
                    ProcessHandle.current().pid()).buffer();
        } catch (IOException | RuntimeException e) {
            throw new BootFailure("cannot map the worker's segment: " + e.getMessage(), ExitCodes.WORKER_BOOT_ERROR, e);
        }
    }

    private static void loadNativeLibrary() throws BootFailure {
        try {
            NativeLibrary.load();
        } catch (IOException e) {
            throw new BootFailure("loading the agent's JNI library failed: " + e.getMessage(), ExitCodes.WORKER_BOOT_ERROR, e);
        }
    }

    private static void failBoot(ControlChannel channel, String reason, int exitCode) {
        AgentLog.info("boot failed: " + reason + "; exiting with code " + exitCode);
        if (channel != null) {
            channel.trySend(new ControlMessage.BootFailed(reason));
        }
        Runtime.getRuntime().halt(exitCode);
    }
}

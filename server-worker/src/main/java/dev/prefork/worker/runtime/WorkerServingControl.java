package dev.prefork.worker.runtime;

import dev.prefork.worker.Application;
import dev.prefork.worker.http.HttpServing;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ServingControl} over the worker's listeners, its HTTP serving and its application. Used on the control
 * loop only.
 */
final class WorkerServingControl implements ServingControl {
    private static final Logger log = LoggerFactory.getLogger(WorkerServingControl.class);

    /** A standby's are paused until it is activated, then replaced by the group it serves. */
    private Listeners listeners;
    private final HttpServing serving;
    private final Application application;
    private final WorkerIdentity id;

    WorkerServingControl(Listeners listeners, HttpServing serving, Application application, WorkerIdentity id) {
        this.listeners = listeners;
        this.serving = serving;
        this.application = application;
        this.id = id;
    }

    /** A standby is activated: it accepts from group {@code group} of its {@code groups} socket groups. */
    void serveGroup(int group, int groups) {
        listeners = listeners.serveGroup(group, groups);
    }

    List<String> addresses() {
        return listeners.addresses();
    }

    @Override
    public CompletionStage<Integer> stopAccepting() {
        return listeners.stopAccepting();
    }

    @Override
    public void answerWithConnectionClose() {
        serving.drain();
    }

    @Override
    public int openConnections() {
        return serving.openConnections();
    }

    @Override
    public void closeAllConnections() {
        serving.closeAllConnections();
    }

    @Override
    public void closeApplication() {
        try {
            application.close();
        } catch (Exception | LinkageError e) {
            log.error("{} application close failed; exiting anyway", id, e);
        }
    }
}

package dev.prefork.master.os;

import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Installs {@code sun.misc.Signal} handlers that only hand the signal to the supervision loop. Not jnr's
 * {@code signal()} (it crashed the JVM under a signal storm) and not QUIT (the JVM's thread dump).
 */
public final class SignalRelay {
    private static final Logger LOG = LoggerFactory.getLogger(SignalRelay.class);

    private SignalRelay() {
    }

    /**
     * @param signals names without {@code SIG}, e.g. {@code TERM}; the sink gets the same name (the supervisor
     *                owns the vocabulary, this package only the mechanism)
     */
    public static void install(Consumer<String> sink, String... signals) {
        for (String signal : signals) {
            install(signal, sink);
        }
    }

    private static void install(String signal, Consumer<String> sink) {
        Signal os = new Signal(signal);
        SignalHandler old;
        try {
            old = Signal.handle(os, ignored -> sink.accept(signal));
        } catch (IllegalArgumentException e) {
            // -Xrs, or the JVM owns it.
            LOG.warn("SIG{} cannot be handled ({}); that signal will not reach the master", signal, e.getMessage());
            return;
        }
        if (old == SignalHandler.SIG_IGN) {
            // Ignored by whoever started us (nohup for HUP, a background job for INT): the JVM will not deliver it.
            Signal.handle(os, SignalHandler.SIG_IGN);
            if (signal.equals("HUP")) {
                LOG.warn("SIGHUP is ignored (started under nohup?): rolling reload by HUP is unavailable; "
                        + "start the master without nohup (e.g. under systemd or with setsid) to use it");
            } else {
                LOG.info("SIG{} was ignored when the master started; it stays ignored", signal);
            }
        }
    }
}

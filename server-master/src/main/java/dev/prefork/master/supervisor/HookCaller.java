package dev.prefork.master.supervisor;

import dev.prefork.master.MasterHooks;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls the user's {@link MasterHooks}, so that a hook that throws is logged and never stops the master. */
final class HookCaller {
    private static final Logger LOG = LoggerFactory.getLogger(HookCaller.class);

    private final MasterHooks hooks;

    HookCaller(MasterHooks hooks) {
        this.hooks = hooks == null ? MasterHooks.NONE : hooks;
    }

    static MasterHooks.WorkerInfo info(WorkerHandle h) {
        return new MasterHooks.WorkerInfo(h.id(), h.slot(), h.generation(), h.pid());
    }

    void call(String name, Consumer<MasterHooks> hook) {
        try {
            hook.accept(hooks);
        } catch (RuntimeException | LinkageError e) {
            LOG.error("hook {} of {} failed; the master carries on", name, hooks.getClass().getName(), e);
        }
    }
}

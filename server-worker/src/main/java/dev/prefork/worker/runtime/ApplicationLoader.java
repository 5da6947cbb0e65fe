package dev.prefork.worker.runtime;

import dev.prefork.worker.Application;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;

/** Loads and constructs the application class, turning every failure into a reason a user can act on. */
final class ApplicationLoader {
    private ApplicationLoader() {
    }

    static Application load(String className, ClassLoader loader) throws WorkerBootException {
        Class<?> type;
        try {
            type = Class.forName(className, true, loader);
        } catch (ClassNotFoundException e) {
            throw new WorkerBootException("application class " + className + " not found on the worker's classpath; "
                    + "check APP_CLASS and that the application's jar is on -cp", e);
        } catch (LinkageError | RuntimeException e) {
            throw new WorkerBootException("application class " + className + " failed to load: " + e
                    + "; fix its static initialisation or its dependencies on the classpath", e);
        }
        if (!Application.class.isAssignableFrom(type)) {
            throw new WorkerBootException("application class " + className + " does not implement "
                    + Application.class.getName() + "; implement it, or name the class that does", null);
        }
        Constructor<?> constructor;
        try {
            constructor = type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new WorkerBootException("application class " + className + " has no public no-argument constructor; "
                    + "add one (configure it in init)", e);
        }
        if (Modifier.isAbstract(type.getModifiers())) {
            throw new WorkerBootException("application class " + className + " is abstract; name a concrete class", null);
        }
        try {
            return (Application) constructor.newInstance();
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new WorkerBootException("constructor of application class " + className + " threw " + cause
                    + "; fix the constructor (see the stack trace in the worker's log)", cause);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new WorkerBootException("cannot construct application class " + className + ": " + e
                    + "; make the class and its no-argument constructor public", e);
        }
    }

    /** Runs the application's init, wrapping its failure. */
    static void init(Application application, dev.prefork.worker.WorkerContext context) throws WorkerBootException {
        try {
            application.init(context);
        } catch (Exception | LinkageError e) {
            throw new WorkerBootException(application.getClass().getName() + ".init failed: " + e
                    + "; fix the application's init (see the stack trace in the worker's log)", e);
        }
    }
}

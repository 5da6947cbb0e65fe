package dev.prefork.agent;

import dev.prefork.agent.os.PrivateCache;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.jar.JarFile;

/**
 * Adds the Spring Boot glue jar (shipped inside the agent jar) to the class loader that loads Spring Boot, when
 * it loads {@code SpringApplication}: the glue must see Spring, which the system loader does not in a fat jar.
 * Fat jar: {@code addURL} on Spring Boot's LaunchedClassLoader (a URLClassLoader) through
 * {@code MethodHandles.privateLookupIn}; class-path launch: {@link Instrumentation#appendToSystemClassLoaderSearch}.
 * The jar is read from the agent's {@link PrivateCache}: Spring's loader reopens it by path while the app runs.
 */
final class SpringGlue implements ClassFileTransformer {
    static final String TRIGGER = "org/springframework/boot/SpringApplication";
    static final String GLUE_RESOURCE = "/META-INF/prefork/prefork-spring-boot.jar";
    /** A class of the glue: present means the application already carries it (the "one small dependency"). */
    static final String GLUE_MARKER = "dev/prefork/agent/spring/PreforkAutoConfiguration.class";

    private final Instrumentation instrumentation;
    private volatile boolean done;

    private SpringGlue(Instrumentation instrumentation) {
        this.instrumentation = instrumentation;
    }

    static void install(Instrumentation instrumentation) {
        instrumentation.addTransformer(new SpringGlue(instrumentation));
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain,
                            byte[] classfile) {
        if (done || !TRIGGER.equals(className)) {
            return null;
        }
        synchronized (this) {
            if (done) {
                return null;
            }
            done = true;
        }
        instrumentation.removeTransformer(this);
        try {
            addGlue(loader);
        } catch (Throwable e) {
            // Never into the application: without the glue Tomcat binds its own port, and the readiness watch
            // reports that with the remedy.
            AgentLog.info("adding the Spring Boot glue failed (" + e + "); the application's server will not serve "
                    + "the inherited socket unless the application carries dev.prefork:prefork-spring-boot");
        }
        return null;
    }

    private void addGlue(ClassLoader loader) throws Throwable {
        ClassLoader system = ClassLoader.getSystemClassLoader();
        ClassLoader target = loader == null ? system : loader;
        if (target.getResource(GLUE_MARKER) != null) {
            AgentLog.info("Spring Boot: the application carries the Prefork glue itself");
            return;
        }
        Path jar = PrivateCache.file(GLUE_RESOURCE, "prefork-spring-boot.jar");
        if (target == system) {
            try (JarFile file = new JarFile(jar.toFile())) {
                instrumentation.appendToSystemClassLoaderSearch(file);
            }
        } else if (target instanceof URLClassLoader) {
            MethodHandle addUrl = MethodHandles.privateLookupIn(target.getClass(), MethodHandles.lookup())
                    .findVirtual(URLClassLoader.class, "addURL", MethodType.methodType(void.class, URL.class));
            addUrl.invoke(target, jar.toUri().toURL());
        } else {
            throw new IllegalStateException("Spring Boot's class loader " + target.getClass().getName()
                    + " is neither the system loader nor a URLClassLoader");
        }
        if (target.getResource(GLUE_MARKER) == null) {
            throw new IllegalStateException("the glue jar was added to " + target + " but is not visible in it");
        }
        AgentLog.info("Spring Boot: glue added to " + target.getClass().getName()
                + " (embedded Tomcat/Jetty serve fd 0; requests counted)");
    }
}

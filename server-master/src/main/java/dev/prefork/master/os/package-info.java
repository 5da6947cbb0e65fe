/**
 * The operating system, seen from the master: POSIX calls (the only place jnr is loaded), signal handlers,
 * zombie reaping from /proc, the pid file and the JDK-spawned children.
 */
package dev.prefork.master.os;

/**
 * The master's public API: {@link dev.prefork.master.Prefork} (embedding), {@link dev.prefork.master.MasterHooks}
 * (Gunicorn's server hooks) and {@link dev.prefork.master.Main} (the CLI); plus, package-private, the wiring of
 * the supervisor to the real Linux services. Everything below is internal:
 * {@code supervisor} (one master run: the loop, pool, watchdog, drain), {@code cli} (options and help),
 * {@code control} (the control socket and who may use it), {@code net} (listening sockets), {@code process}
 * (starting worker JVMs), {@code cds} (the workers' AppCDS archive), {@code os} (signals, /proc, pid file, jnr),
 * {@code admin} (metrics and health HTTP).
 */
package dev.prefork.master;

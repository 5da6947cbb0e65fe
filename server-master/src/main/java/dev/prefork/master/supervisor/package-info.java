/**
 * One master run ({@link dev.prefork.master.supervisor.Master}): the supervision loop ({@code Arbiter}) and the
 * classes it delegates to by role: pool planning, deadlines, worker reports, acting on workers. Public only what
 * the top package wires: {@code Master}, the {@code Infrastructure} it runs on, and {@code MasterSignal}.
 */
package dev.prefork.master.supervisor;

/**
 * The master's end of the control socket: its private directory, the server, each connection's handshake, and
 * the admission policy (which peer gets which listening fds).
 */
package dev.prefork.master.control;

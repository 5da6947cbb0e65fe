/** The master's admin HTTP: {@code /metrics}, {@code /healthz}, {@code /readyz}. */
package dev.prefork.master.admin;

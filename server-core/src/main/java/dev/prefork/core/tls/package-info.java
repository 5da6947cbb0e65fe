/**
 * TLS material from PEM files, read with the JDK alone so that the master can validate the files at configuration
 * time (before anything is bound) and the workers load them the same way, on start and on each rotation.
 */
package dev.prefork.core.tls;

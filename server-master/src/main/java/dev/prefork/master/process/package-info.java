/** Starting worker JVMs: their command line, settings and output, and the handle on each process. */
package dev.prefork.master.process;

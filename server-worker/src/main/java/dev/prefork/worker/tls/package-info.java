/** TLS for the worker's listeners: the SSL context from the PEM files, and its rotation when the files change. */
package dev.prefork.worker.tls;

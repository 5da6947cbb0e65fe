/** The listening sockets the master binds before any worker exists, shared or one set per slot (reuse-port). */
package dev.prefork.master.net;

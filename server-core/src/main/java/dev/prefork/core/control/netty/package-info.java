/**
 * The control protocol's Netty codec, one decoder/encoder pair that both ends add to their pipelines. The
 * protocol itself ({@code ControlCodec}) needs no Netty, so that a process that must not load Netty can speak it.
 */
package dev.prefork.core.control.netty;
